/** Per (entry, service, event): when one was last sent, and how many were held back since. */
export interface DebounceState {
  lastSentAt: number;
  held: number;
}

export type Decision = { send: true; suppressed: number } | { send: false };

/**
 * Whether to send one more of the same (entry, service, event): at most once per `quietMs`, saying on the next one
 * how many were held back. `inLoop`: a crash after the first of a crash loop (the service's retry count above 1)
 * is always held, so a loop that ends in gave-up sends at most one crash and one gave-up. Pure.
 */
export function debounce(state: DebounceState | undefined, now: number, quietMs: number, inLoop: boolean): { decision: Decision; state: DebounceState } {
  const last = state ?? { lastSentAt: -Infinity, held: 0 };
  if (inLoop || now - last.lastSentAt < quietMs) return { decision: { send: false }, state: { ...last, held: last.held + 1 } };
  return { decision: { send: true, suppressed: last.held }, state: { lastSentAt: now, held: 0 } };
}
