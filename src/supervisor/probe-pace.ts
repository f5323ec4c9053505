/** What decides whether a ready service's health check runs now or waits (its quiet pace). */
export interface ProbePace {
  phase: string;
  /** Failed checks in a row (0: the last one passed). */
  failures: number;
  /** A client watches (the TUI, the page, `events`): it should see a failure within the interval. */
  watched: boolean;
  /** When the last check ran (epoch ms; null: none yet). */
  lastProbeAt: number | null;
  now: number;
  intervalMs: number;
  quietIntervalMs: number;
}

/**
 * Is a health check due at this tick of the interval? Always, unless the service is ready (or adopted), its last
 * check passed and nobody watches: then once per quiet interval, so that an idle stack's logs do not fill with
 * checks. A failed check, a start or a client that connects brings the interval back at the next tick. Pure.
 */
export function probeDue(p: ProbePace): boolean {
  if (p.quietIntervalMs <= p.intervalMs) return true;
  const calm = (p.phase === 'ready' || p.phase === 'external') && p.failures === 0 && !p.watched;
  if (!calm || p.lastProbeAt === null) return true;
  // (a tick may fire a few ms early: the interval's worth of slack)
  return p.now - p.lastProbeAt >= p.quietIntervalMs - p.intervalMs / 2;
}
