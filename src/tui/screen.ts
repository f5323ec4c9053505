import { EventEmitter } from 'node:events';
import type { RegionSink } from './log-region.js';

const ESC = '\x1b[';
const SYNC_BEGIN = `${ESC}?2026h`;
const SYNC_END = `${ESC}?2026l`;

/** The escape sequences that turn `previous` into `next` on screen: only the lines that differ. Pure. */
export function diffFrames(previous: string[] | null, next: string[], rows: number): string {
  let out = previous === null ? `${ESC}H${ESC}2J` : '';
  for (let row = 0; row < rows; row++) {
    const line = next[row] ?? '';
    if (previous !== null && previous[row] === line) continue;
    out += `${ESC}${row + 1};1H${line}${ESC}0m${ESC}K`;
  }
  return out;
}

export interface Terminal {
  columns: number;
  rows: number;
  isTTY?: boolean;
  write(data: string): boolean;
  on(event: 'resize', listener: () => void): unknown;
  off(event: 'resize', listener: () => void): unknown;
}

/**
 * What Ink writes to: it renders each whole frame here (Ink's debug mode), and we put on the real terminal at most
 * `maxFps` frames a second, each as only the lines that changed since the last, on the alternate screen.
 * (Ink's own incremental mode misplaces lines by one when the output does not fill the screen, and it clears and
 * redraws everything when it does.)
 */
export class DiffingScreen extends EventEmitter implements RegionSink {
  readonly isTTY = true;
  private shown: string[] | null = null;
  /** Ink's last frame, as lines. */
  private frame: string[] = [];
  /** Rows drawn over Ink's frame (the log panes), set without any React render. */
  private regions: Array<{ top: number; rows: string[] }> = [];
  private dirty = false;
  private timer: NodeJS.Timeout | null = null;
  private lastFlush = 0;
  private closed = false;
  bytesWritten = 0;

  constructor(private readonly terminal: Terminal, private readonly maxFps = 10) {
    super();
    this.terminal.on('resize', this.onResize);
    this.out(`${ESC}?1049h${ESC}?25l`); // alternate screen, cursor hidden
  }

  get columns(): number {
    return this.terminal.columns || 80;
  }

  get rows(): number {
    return this.terminal.rows || 24;
  }

  /** Ink's write: one complete frame. */
  write(frame: string): boolean {
    this.frame = frame.split('\n');
    return this.schedule();
  }

  /** The log panes' rows, drawn over the blank rows Ink leaves for them. */
  show(regions: Array<{ top: number; rows: string[] }>): void {
    this.regions = regions;
    this.schedule();
  }

  private schedule(): boolean {
    if (this.closed) return true;
    this.dirty = true;
    const wait = this.lastFlush + 1000 / this.maxFps - Date.now();
    if (wait <= 0) this.flush();
    else this.timer ??= setTimeout(() => this.flush(), wait);
    return true;
  }

  /** Leaves the alternate screen and shows the cursor again. */
  close(): void {
    if (this.closed) return;
    this.flush();
    this.closed = true;
    this.terminal.off('resize', this.onResize);
    this.out(`${ESC}?25h${ESC}?1049l`);
  }

  private flush(): void {
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
    if (!this.dirty || this.closed) return;
    this.dirty = false;
    const next = [...this.frame];
    for (const { top, rows } of this.regions) rows.forEach((row, i) => top + i < this.rows && (next[top + i] = row));
    this.lastFlush = Date.now();
    const update = diffFrames(this.shown, next, this.rows);
    this.shown = next;
    if (update) this.out(SYNC_BEGIN + update + SYNC_END);
  }

  private out(data: string): void {
    this.bytesWritten += Buffer.byteLength(data);
    this.terminal.write(data);
  }

  private readonly onResize = () => {
    this.shown = null; // the terminal reflowed: draw everything again
    this.emit('resize');
  };
}
