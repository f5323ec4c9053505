import type { Kind } from '../config/schema.js';
import type { HealthCheck } from '../config/types.js';
import { canConnect } from '../process/ports.js';
import { httpGet } from './http-get.js';

export interface ProbeResult {
  result: 'ok' | 'loading' | 'fail';
  reason?: string;
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
        return judgeHttp(check.expect, res.status, res.body, check.path);
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
    return { result: 'fail', reason: (error as Error).message };
  }
}

/** llama-server answers 503 while it loads the model: that is "loading", not a failure. Pure. */
export function judgeHttp(expect: 'llama-server' | 'ollama' | 'any', status: number, body: string, path: string): ProbeResult {
  if (status >= 200 && status < 300) return { result: 'ok' };
  if (expect === 'llama-server' && status === 503) return { result: 'loading', reason: errorMessageOf(body) ?? 'loading model' };
  return { result: 'fail', reason: `GET ${path} answered ${status}${errorMessageOf(body) ? `: ${errorMessageOf(body)}` : ''}` };
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

/** Is what listens on host:port a server of this kind? Decides between adopting it and refusing the port. */
export async function isServerOfKind(kind: Kind, host: string, port: number): Promise<boolean> {
  try {
    if (kind === 'llama-server') {
      const res = await httpGet(host, port, '/health', 1500);
      if (res.status === 200) return /"status"\s*:\s*"ok"/.test(res.body);
      return res.status === 503 && /unavailable_error|Loading model/i.test(res.body);
    }
    if (kind === 'ollama') {
      const res = await httpGet(host, port, '/api/version', 1500);
      return res.status === 200 && /"version"/.test(res.body);
    }
  } catch {
    return false;
  }
  return false;
}
