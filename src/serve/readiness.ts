import type { ServiceStatus } from '../protocol/status.js';
import type { Supervisor } from '../supervisor/supervisor.js';
import { ServeError } from './contract.js';

/** States in which a request can go through now. */
export const accepts = (state: string): boolean => state === 'ready' || state === 'external' || state === 'unhealthy';
/** States a request waits out before the service is started again. */
const PASSING = new Set(['draining', 'stopping']);

/** Left the queue: the client disconnected while it waited. */
export class ClientLeft extends ServeError {
  constructor() {
    super(499, 'the client disconnected while it waited', 'invalid_request_error', 'client_closed_request');
  }
}

/** Resolves on the service's next state change (or rejects when `signal` aborts). */
function nextChange(supervisor: Supervisor, name: string, signal: AbortSignal, timeoutMs: number | null): Promise<'changed' | 'timeout'> {
  return new Promise((resolve, reject) => {
    const off = () => {
      supervisor.off('change', listener);
      signal.removeEventListener('abort', aborted);
      if (timer) clearTimeout(timer);
    };
    const listener = (event: { service: string }) => {
      if (event.service !== name) return;
      off();
      resolve('changed');
    };
    const aborted = () => {
      off();
      reject(new ClientLeft());
    };
    const timer = timeoutMs === null ? null : setTimeout(() => (off(), resolve('timeout')), Math.max(0, timeoutMs));
    supervisor.on('change', listener);
    signal.addEventListener('abort', aborted, { once: true });
  });
}

const statusOf = (supervisor: Supervisor, name: string): ServiceStatus => supervisor.status(name)[0]!;

const timedOut = (name: string, ms: number, why: string) =>
  new ServeError(504, `${name} did not become ready within its startTimeout (${Math.round(ms / 1000)} s): ${why}; if it needs longer to load, raise services.${name}.startTimeout`, 'server_error', 'start_timeout');

/** It was stopped (`llama-top stop`, a swap, an idle stop) while the request waited for its start. */
const stoppedWhileStarting = (name: string, s: ServiceStatus) =>
  new ServeError(503, `${name} was stopped while it was starting (${s.stopReason ?? 'stopped by hand'}): send the request again to start it again`, 'server_error', 'service_unavailable');

/**
 * Waits until `name` takes requests: ready (not merely listening: "loading model" is waiting), starting it when it is
 * stopped, crashed or gave up, and waiting out a drain or a stop first. Rejects with 503 and the daemon's reason when
 * the start fails, 504 when it takes longer than the service's startTimeout. `coldStart`: this call started it.
 */
export async function ensureReady(supervisor: Supervisor, name: string, signal: AbortSignal): Promise<{ coldStart: boolean }> {
  // Probed every 20 ms while we wait, so the request goes through within that of the server's being ready.
  supervisor.setAwaited(name, true);
  try {
    return await waitReady(supervisor, name, signal);
  } finally {
    supervisor.setAwaited(name, false);
  }
}

async function waitReady(supervisor: Supervisor, name: string, signal: AbortSignal): Promise<{ coldStart: boolean }> {
  const startTimeoutMs = supervisor.config.services.find((s) => s.name === name)?.startTimeoutMs ?? 120_000;
  let deadline: number | null = null;
  let started = false;
  for (;;) {
    if (signal.aborted) throw new ClientLeft();
    const s = statusOf(supervisor, name);
    if (accepts(s.state)) return { coldStart: started };
    if (PASSING.has(s.state)) {
      await nextChange(supervisor, name, signal, null);
      continue;
    }
    if (s.state === 'starting') {
      deadline ??= Date.now() + startTimeoutMs;
      if ((await nextChange(supervisor, name, signal, deadline - Date.now())) === 'timeout') throw timedOut(name, startTimeoutMs, s.detail ?? 'still starting');
      continue;
    }
    // stopped, crashed (waiting to retry), error (gave up): start it, once.
    if (started) throw failed(name, s, null, startTimeoutMs);
    started = true;
    deadline = Date.now() + startTimeoutMs;
    const run = supervisor.start([name]).then((outcomes) => outcomes[0]!);
    run.catch(() => undefined);
    const outcome = await Promise.race([run, nextChange(supervisor, name, signal, startTimeoutMs).then(() => null)]);
    if (outcome === null) continue; // a state change: judged at the top
    if (outcome.ok) return { coldStart: true };
    throw failed(name, statusOf(supervisor, name), outcome.error, startTimeoutMs);
  }
}

/** 503 with the daemon's reason; 504 when that reason is its own start timeout. */
function failed(name: string, s: ServiceStatus, error: string | null, startTimeoutMs: number): ServeError {
  // A start that fails ends crashed or in error; stopped is someone's stop (its lastError may be an older start's).
  if (s.state === 'stopped') return stoppedWhileStarting(name, s);
  const why = error ?? s.lastError ?? `it is ${s.state}`;
  if (/^not ready after/.test(why)) return timedOut(name, startTimeoutMs, why);
  return new ServeError(503, `${name} failed to start: ${why}`, 'server_error', 'service_unavailable');
}
