import { formatDuration } from '../config/durations.js';

/**
 * Why a request in flight through the endpoint was cut before its answer ended: the lease's signal is aborted with
 * a `CutError` carrying one of these, and the client, the serve log and `/metrics` all say it the same way.
 */
export type CutReason =
  /** The service had to stop (stop, restart, reload, swap, idle stop) and its drainTimeout ran out. */
  | { kind: 'drain-timeout'; service: string; drainTimeoutMs: number }
  /** `stop --now` / `restart --now` (or `--force`): the drain was skipped. */
  | { kind: 'now'; service: string; flag?: '--now' | '--force' }
  /** The supervisor restarted it (unhealthy, inference stalled) or stopped it without a drain for another reason. */
  | { kind: 'restarted'; service: string; why: string }
  /** The server's process went away by itself. */
  | { kind: 'exited'; service: string; code: number | null; signal: string | null };

/** What the client reads (and the serve log says) of a cut. Pure. */
export function cutMessage(reason: CutReason): string {
  switch (reason.kind) {
    case 'drain-timeout':
      return `cut: ${reason.service}'s drainTimeout (${formatDuration(reason.drainTimeoutMs)}) ran out during stop`;
    case 'now':
      return `cut: stop ${reason.flag ?? '--now'}`;
    case 'restarted':
      return `cut: ${reason.service} was restarted (${reason.why})`;
    case 'exited':
      return reason.signal ? `${reason.service} exited (killed by ${reason.signal})` : `${reason.service} exited (code ${reason.code ?? '?'})`;
  }
}

/**
 * The HTTP status a cut request counts under (the serve log and `llama_top_serve_requests_total`), the same whether
 * the answer had begun or not: 503 when llama-top stopped the service, 502 when the server itself went away.
 */
export const cutStatus = (reason: CutReason): number => (reason.kind === 'exited' ? 502 : 503);

/** OpenAI's `code` of the error a cut request gets. */
export const cutCode = (reason: CutReason): string => (reason.kind === 'exited' ? 'server_exited' : 'service_stopped');

/** The abort reason of a lease's signal. */
export class CutError extends Error {
  constructor(readonly reason: CutReason) {
    super(cutMessage(reason));
    this.name = 'CutError';
  }
}

/** The cut a signal was aborted with, or null (not aborted, or aborted for another reason: the client left). */
export const cutOf = (signal: AbortSignal): CutError | null => (signal.aborted && signal.reason instanceof CutError ? signal.reason : null);

/**
 * The cut of a lease whose server connection broke mid-answer: the server's exit reaches the supervisor a moment
 * after its socket closes, so this waits up to `graceMs` for the lease's signal to say why. Null: no cut came (the
 * connection broke with the server still up).
 */
export function cutSoon(signal: AbortSignal, graceMs: number): Promise<CutError | null> {
  const now = cutOf(signal);
  if (now || signal.aborted) return Promise.resolve(now);
  return new Promise((resolve) => {
    const timer = setTimeout(() => {
      signal.removeEventListener('abort', onAbort);
      resolve(null);
    }, graceMs);
    const onAbort = () => {
      clearTimeout(timer);
      resolve(cutOf(signal));
    };
    signal.addEventListener('abort', onAbort, { once: true });
  });
}

/** How long a broken answer waits for the supervisor to say why (an exit is noticed within milliseconds). */
export const CUT_GRACE_MS = 3000;

/** A service's state change, as far as a cut needs it (the supervisor's StateChangeEvent). */
export interface StateChange {
  service: string;
  from: string;
  to: string;
  status: { detail: string | null; lastError: string | null; exitCode: number | null; signal: string | null };
}

/**
 * The cut a state change means for the requests in flight to that service, or null. A drain's own cut (timeout, or
 * --now while draining) comes from the supervisor's drain (DrainSource.cut); this covers the rest: a stop that skips
 * the drain (ready → stopping: --now, --force, a restart of an unhealthy server) and a server that went away. Pure.
 */
export function cutOnChange(change: StateChange): CutReason | null {
  const { service, from, to, status } = change;
  const serving = from === 'ready' || from === 'unhealthy';
  if (serving && to === 'stopping') {
    const recovering = /unhealthy|inference|stalled/.test(status.detail ?? '');
    return recovering ? { kind: 'restarted', service, why: status.lastError ?? status.detail ?? 'unhealthy' } : { kind: 'now', service };
  }
  const wentAway = to === 'crashed' || to === 'error' || (to === 'stopped' && from === 'draining');
  if ((serving || from === 'draining') && wentAway) {
    if (status.exitCode !== null || status.signal !== null) return { kind: 'exited', service, code: status.exitCode, signal: status.signal };
    return { kind: 'restarted', service, why: status.lastError ?? `it is ${to}` };
  }
  return null;
}
