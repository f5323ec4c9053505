import type { HealthCheck } from '../config/types.js';
import { canConnect } from '../process/ports.js';
import { httpGet, HttpTimeout } from '../shared/http-get.js';

export interface ProbeResult {
  result: 'ok' | 'loading' | 'fail';
  reason?: string;
  /** A failure because no answer came in time (rather than a wrong one, or none listening). */
  timedOut?: boolean;
}

export interface ProbeTarget {
  host: string;
  port?: number;
  cwd: string;
  timeoutMs: number;
}

/** Readiness and liveness: one check per kind (alive-for-N-ms is judged by the runner). */
export async function runProbe(check: HealthCheck, target: ProbeTarget): Promise<ProbeResult> {
  try {
    switch (check.type) {
      case 'http': {
        const res = await httpGet(target.host, target.port!, check.path, target.timeoutMs);
        return judgeHttp(check, res.status, res.body);
      }
      case 'tcp':
        return (await canConnect(target.host, target.port!, target.timeoutMs))
          ? { result: 'ok' }
          : { result: 'fail', reason: `no TCP listener on ${target.host}:${target.port}` };
      case 'command': {
        const { execa } = await import('execa'); // loaded only when used: it costs the daemon ~10 MB
        const run = await execa(check.argv[0]!, check.argv.slice(1), { cwd: target.cwd, timeout: target.timeoutMs, reject: false, stdin: 'ignore' });
        if (run.exitCode === 0) return { result: 'ok' };
        const said = (run.stderr || run.stdout || '').toString().trim().split('\n').at(-1);
        return { result: 'fail', reason: `${check.argv.join(' ')} ${run.timedOut ? 'timed out' : `exited ${run.exitCode ?? run.signal}`}${said ? `: ${said}` : ''}` };
      }
      case 'alive':
        return { result: 'ok' };
    }
  } catch (error) {
    return { result: 'fail', reason: (error as Error).message, timedOut: error instanceof HttpTimeout };
  }
}

/** 2xx is ready; the status a kind answers while it loads its model (llama-server: 503) is "loading". Pure. */
export function judgeHttp(check: { path: string; loadingStatus?: number }, status: number, body: string): ProbeResult {
  if (status >= 200 && status < 300) return { result: 'ok' };
  if (check.loadingStatus === status) return { result: 'loading', reason: errorMessageOf(body) ?? 'loading model' };
  return { result: 'fail', reason: `GET ${check.path} answered ${status}${errorMessageOf(body) ? `: ${errorMessageOf(body)}` : ''}` };
}

function errorMessageOf(body: string): string | null {
  try {
    const parsed = JSON.parse(body) as { error?: { message?: string } | string };
    if (typeof parsed.error === 'string') return parsed.error;
    return parsed.error?.message ?? null;
  } catch {
    return null;
  }
}
