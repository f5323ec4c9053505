import { stripAnsi } from '../logs/tail.js';

/** A log line made safe for the screen: colours and other escapes stripped, tabs expanded, controls dropped. Pure. */
export function sanitizeLine(line: string, maxChars = 4096): string {
  // eslint-disable-next-line no-control-regex
  const clean = stripAnsi(line.length > maxChars ? line.slice(0, maxChars) : line).replace(/\t/g, '    ').replace(/[\x00-\x08\x0b-\x1f\x7f\r]/g, '');
  return clean;
}

/** The `height` lines ending `scroll` lines above the end of `lines`. Pure. */
export function visibleWindow(lines: string[], height: number, scroll: number): string[] {
  const end = Math.max(0, lines.length - scroll);
  return lines.slice(Math.max(0, end - height), end);
}

export interface Segment {
  text: string;
  match: boolean;
}

/** Splits a line around case-insensitive matches of `query`. Pure. */
export function highlight(line: string, query: string): Segment[] {
  if (!query) return [{ text: line, match: false }];
  const out: Segment[] = [];
  const lower = line.toLowerCase();
  const q = query.toLowerCase();
  let at = 0;
  for (let i = lower.indexOf(q); i >= 0; i = lower.indexOf(q, i + q.length)) {
    if (i > at) out.push({ text: line.slice(at, i), match: false });
    out.push({ text: line.slice(i, i + q.length), match: true });
    at = i + q.length;
  }
  if (at < line.length) out.push({ text: line.slice(at), match: false });
  return out;
}

/** The scroll offset that brings the next (or previous) match into view, or null when there is none. Pure. */
export function scrollToMatch(lines: string[], query: string, scroll: number, height: number, direction: 1 | -1, inclusive = false): number | null {
  if (!query) return null;
  const q = query.toLowerCase();
  // Matches are sought above the window's bottom line when going back (older), below it going forward.
  const bottom = lines.length - 1 - scroll;
  if (direction === -1) {
    for (let i = inclusive ? bottom : bottom - 1; i >= 0; i--) if (lines[i]!.toLowerCase().includes(q)) return Math.min(lines.length - 1 - i, Math.max(0, lines.length - height));
  } else {
    for (let i = bottom + 1; i < lines.length; i++) if (lines[i]!.toLowerCase().includes(q)) return Math.max(0, lines.length - 1 - i);
  }
  return null;
}

/**
 * Where the search stands: "match 3/17" counts matching lines, oldest first, up to the line at the bottom of the
 * window (where n and N put a match); "no match" when none. Null without a query. Pure.
 */
export function matchPosition(lines: string[], query: string, scroll: number): string | null {
  if (!query) return null;
  const q = query.toLowerCase();
  const bottom = lines.length - 1 - scroll;
  let total = 0;
  let current = 0;
  for (let i = 0; i < lines.length; i++)
    if (lines[i]!.toLowerCase().includes(q)) {
      total++;
      if (i <= bottom) current = total;
    }
  if (total === 0) return 'no match';
  return `match ${Math.max(1, current)}/${total}`;
}
