/**
 * ollama's `keep_alive`, as its server reads it: a number is seconds, a string is a Go duration (`5m`, `1h30m`,
 * `300ms`, `0`); negative means "keep it loaded". Pure.
 */

const UNIT_MS: Record<string, number> = { ns: 1e-6, us: 1e-3, 'µs': 1e-3, ms: 1, s: 1000, m: 60_000, h: 3_600_000 };

/** The longest idle stop a timer can hold (setTimeout's limit, ~24.8 days): what "keep it loaded" becomes. */
export const KEEP_LOADED_MS = 2 ** 31 - 1;

export class KeepAliveError extends Error {}

/** Milliseconds for AcquireOptions.keepAliveMs; undefined/null: the service's own idle stop. */
export function parseKeepAlive(value: unknown): number | null {
  if (value === undefined || value === null || value === '') return null;
  if (typeof value === 'number') {
    if (!Number.isFinite(value)) throw new KeepAliveError(`keep_alive: ${value} is not a number of seconds`);
    return value < 0 ? KEEP_LOADED_MS : Math.min(Math.round(value * 1000), KEEP_LOADED_MS);
  }
  if (typeof value !== 'string') throw new KeepAliveError(`keep_alive must be a duration like "5m" or a number of seconds, not ${JSON.stringify(value)}`);
  const text = value.trim();
  // ollama also takes a bare number in a string as seconds ("300", "-1").
  if (/^[+-]?\d+(\.\d+)?$/.test(text)) return parseKeepAlive(Number(text));
  const match = /^([+-])?((?:\d+(?:\.\d+)?(?:ns|us|µs|ms|s|m|h))+)$/.exec(text);
  if (!match) throw new KeepAliveError(`keep_alive: "${value}" is not a duration (use e.g. "5m", "1h30m", "0" or a number of seconds)`);
  let ms = 0;
  for (const part of match[2]!.matchAll(/(\d+(?:\.\d+)?)(ns|us|µs|ms|s|m|h)/g)) ms += Number(part[1]) * UNIT_MS[part[2]!]!;
  if (match[1] === '-' && ms > 0) return KEEP_LOADED_MS;
  return Math.min(Math.round(ms), KEEP_LOADED_MS);
}
