import { spawn } from 'node:child_process';
import { hookEnv, type NotifyPayload } from './payload.js';

export interface Delivery {
  ok: boolean;
  /** What happened, for `notify test` and daemon.log: `exit 0 in 12 ms`, `HTTP 503`, `did not finish in 10 s: killed`. */
  detail: string;
  /** Worth another attempt (a webhook that is down, not one that refused the request). */
  retry?: boolean;
}

const STDERR_KEPT = 2048;

/**
 * Runs a notify command with the event as JSON on stdin and LLAMA_TOP_* in its environment, in its own process
 * group; past `timeoutMs` the whole group is killed. Never throws, never waits longer than the timeout.
 */
export function runHook(argv: string[], payload: NotifyPayload, options: { cwd: string; timeoutMs: number; signal?: AbortSignal }): Promise<Delivery> {
  const began = Date.now();
  return new Promise((resolve) => {
    let stderr = '';
    let timedOut = false;
    const child = spawn(argv[0]!, argv.slice(1), {
      cwd: options.cwd,
      env: { ...process.env, ...hookEnv(payload) },
      detached: true,
      stdio: ['pipe', 'ignore', 'pipe'],
    });
    const kill = () => {
      try {
        process.kill(-child.pid!, 'SIGKILL');
      } catch {
        // already gone
      }
    };
    const timer = setTimeout(() => {
      timedOut = true;
      kill();
    }, options.timeoutMs);
    // The daemon is exiting: its hooks go with it rather than outlive their timeout unsupervised.
    if (child.pid !== undefined) options.signal?.addEventListener('abort', kill, { once: true });
    child.stdin.on('error', () => undefined); // a hook that does not read stdin closes it early: not a failure
    child.stdin.end(`${JSON.stringify(payload)}\n`);
    child.stderr.setEncoding('utf8');
    child.stderr.on('data', (chunk: string) => (stderr = (stderr + chunk).slice(-STDERR_KEPT)));
    child.once('error', (error: NodeJS.ErrnoException) => {
      clearTimeout(timer);
      resolve({ ok: false, detail: `cannot run ${argv[0]}: ${error.code ?? error.message}` });
    });
    child.once('close', (code, signal) => {
      clearTimeout(timer);
      const ms = Date.now() - began;
      const said = stderr.trim().split('\n').at(-1);
      if (timedOut) resolve({ ok: false, detail: `did not finish in ${formatSeconds(options.timeoutMs)}: killed (pid ${child.pid})` });
      else if (code === 0) resolve({ ok: true, detail: `exit 0 in ${ms} ms` });
      else resolve({ ok: false, detail: `${signal ? `killed by ${signal}` : `exit ${code}`} in ${ms} ms${said ? `: ${said}` : ''}` });
    });
  });
}

export const formatSeconds = (ms: number): string => (ms % 1000 === 0 ? `${ms / 1000} s` : `${(ms / 1000).toFixed(1)} s`);
