import type { RestartPolicy } from '../config/types.js';

/** Delay before retry number `retry` (1-based): base, 2×base, 4×base … capped at maxBackoff. */
export function backoffDelay(retry: number, policy: Pick<RestartPolicy, 'backoffMs' | 'maxBackoffMs'>): number {
  const exponent = Math.max(0, retry - 1);
  return Math.min(policy.backoffMs * 2 ** Math.min(exponent, 30), policy.maxBackoffMs);
}
