import stringWidth from 'string-width';
import { highlight, sanitizeLine, visibleWindow } from './log-view.js';

/** How a log pane shows its lines: its size, where it is scrolled to, what it highlights. */
export interface PaneRegion {
  height: number;
  width: number;
  scroll: number;
  query: string;
  color: boolean;
}

/** Screen rows drawn outside Ink: the log panes, which change ten times a second while the rest stays still. */
export interface RegionSink {
  show(regions: Array<{ top: number; rows: string[] }>): void;
}

// eslint-disable-next-line no-control-regex
const PLAIN = /^[\x20-\x7e]*$/;
const MATCH_ON = (color: boolean) => (color ? '\x1b[7;33m' : '\x1b[7m');
const MATCH_OFF = '\x1b[0m';

/** `line` in at most `width` columns, an ellipsis where it was cut; wide characters (CJK, emoji) count two. Pure. */
export function cutToWidth(line: string, width: number): string {
  if (PLAIN.test(line)) return line.length > width ? `${line.slice(0, width - 1)}…` : line;
  if (stringWidth(line) <= width) return line;
  let out = '';
  let used = 0;
  for (const char of line) {
    const w = stringWidth(char);
    if (used + w > width - 1) break;
    out += char;
    used += w;
  }
  return `${out}…`;
}

/** One line as the screen shows it: sanitized, cut to `width` columns, matches inverted. Pure. */
export function paneRow(raw: string, width: number, query: string, color: boolean): string {
  const line = cutToWidth(sanitizeLine(raw), width);
  if (!query) return line;
  return highlight(line, query).map((seg) => (seg.match ? `${MATCH_ON(color)}${seg.text}${MATCH_OFF}` : seg.text)).join('');
}

/**
 * A pane's rows, exactly `height` of them (blank below the last line): plain strings written straight to the
 * screen, so a flood of log lines costs no React render and no Yoga layout. Pure.
 */
export function paneRows(lines: string[], region: PaneRegion): string[] {
  const shown = visibleWindow(lines, region.height, region.scroll).map((l) => paneRow(l, region.width, region.query, region.color));
  while (shown.length < region.height) shown.push('');
  return shown;
}
