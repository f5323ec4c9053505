import { readLastLogLines, readLogLinesSince, type LogLine } from './chunks.js';

/** Marks the lines of a page to leave out (llama-top's own requests, as a kind recognises them). */
export type HideLines = (texts: string[]) => boolean[];

/** How far back a read for `n` shown lines may go when nearly every line is hidden. */
const MAX_READ = 200_000;

/** Drops the lines `hide` marks. Pure. */
export function withoutHidden(lines: LogLine[], hide: HideLines | null): LogLine[] {
  if (!hide) return lines;
  const hidden = hide(lines.map((l) => l.text));
  return lines.filter((_, i) => !hidden[i]);
}

/** The last `n` lines of a service's logs that `hide` leaves, reading further back only as far as needed. */
export function readLastShownLines(dir: string, n: number, hide: HideLines | null, withTimes = false): LogLine[] {
  if (!hide) return readLastLogLines(dir, n, withTimes);
  for (let want = Math.max(64, n * 4); ; want *= 4) {
    const lines = readLastLogLines(dir, want, withTimes);
    const kept = withoutHidden(lines, hide);
    if (kept.length >= n || lines.length < want || want >= MAX_READ) return kept.slice(-n);
  }
}

/** The lines written in the last `sinceMs`, at most the last `n` of them (`logs --since 5m -n 3`), `hide` applied. */
export function readShownLinesSince(dir: string, sinceMs: number, n: number, hide: HideLines | null): LogLine[] {
  const lines = withoutHidden(readLogLinesSince(dir, Date.now() - sinceMs), hide);
  return n >= lines.length ? lines : lines.slice(-n);
}

/** The last `n` lines written at or after `since` (epoch ms): one run's own lines, never an older run's. */
export function readLinesOfRun(dir: string, since: number, n: number): LogLine[] {
  const lines = readLogLinesSince(dir, since);
  return lines.slice(-n);
}
