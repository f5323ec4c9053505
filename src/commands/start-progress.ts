import cliTruncate from 'cli-truncate';
import type { ServiceStatus, StateChangeEvent } from '../protocol/messages.js';
import { sanitizeLine } from '../tui/log-view.js';
import { drainWait, GLYPH, stateLabel, troubleSuffix } from './format-status.js';

/** One service being waited for: its latest status (null until the daemon says anything) and latest log line. */
export interface ProgressRow {
  name: string;
  status: ServiceStatus | null;
  lastLog: string | null;
}

const seconds = (ms: number) => `${(Math.max(0, ms) / 1000).toFixed(ms < 10_000 ? 1 : 0)}s`;

/** "◐ llama  loading model   12.3s  llama_model_load: loading tensors". Pure. */
export function progressLine(row: ProgressRow, nameWidth: number, startedAt: number, now: number, width: number): string {
  const s = row.status;
  // Not started yet: the request is on its way, or the service waits for what it depends on.
  const waiting = !s || s.state === 'stopped';
  const label = waiting ? 'waiting' : (drainWait(s, now) ?? stateLabel(s, now));
  const glyph = waiting ? '…' : (GLYPH[s.state] ?? ' ');
  const since = s?.startedAt ? Date.parse(s.startedAt) : startedAt;
  const elapsed = waiting || s.state === 'ready' ? '' : seconds(now - since);
  const text = `${glyph} ${row.name.padEnd(nameWidth)}  ${label.padEnd(14)} ${elapsed.padStart(6)}  ${sanitizeLine(row.lastLog ?? '', 1000)}`.trimEnd();
  return cliTruncate(text, width);
}

/** Off a terminal: "llama: loading model (pid 812, 2.1s)", once per state change. Pure. */
export function changeLine(event: StateChangeEvent, startedAt: number, now: number): string {
  const s = event.status;
  const label = s.state === 'draining' ? `draining, ${drainWait(s, now)}` : stateLabel(s, now);
  return `${event.service}: ${label} (${s.pid ? `pid ${s.pid}, ` : ''}${seconds(now - startedAt)})${troubleSuffix(s)}`;
}

export interface ProgressOutput {
  write(text: string): void;
  isTTY: boolean;
  columns: number;
}

/**
 * What `start` / `restart` show while they wait: on a terminal, one line per service redrawn in place (state,
 * time so far, latest log line); elsewhere a line per state change. The block is cleared before the result.
 */
export class StartProgress {
  private readonly rows: Map<string, ProgressRow>;
  private readonly startedAt = Date.now();
  private drawn = 0;
  private timer: NodeJS.Timeout | null = null;
  private readonly asking = new Set<string>();

  constructor(
    names: string[],
    private readonly out: ProgressOutput,
    /** The service's latest log line, as the daemon reads it (asked again only once the last answer came). */
    private readonly latestLogLine: (service: string) => Promise<string | null>,
  ) {
    this.rows = new Map(names.map((name) => [name, { name, status: null, lastLog: null }]));
    if (out.isTTY) {
      this.draw();
      this.timer = setInterval(() => this.draw(), 250);
      this.timer.unref();
    }
  }

  /** The services as they are now (before any event). */
  seed(services: ServiceStatus[]): void {
    for (const s of services) {
      const row = this.rows.get(s.name);
      if (row) row.status = s;
    }
  }

  onEvent(event: StateChangeEvent): void {
    const row = this.rows.get(event.service);
    if (!row) return;
    row.status = event.status;
    if (!this.out.isTTY) this.out.write(`${changeLine(event, this.startedAt, Date.now())}\n`);
  }

  /** Stops redrawing and removes the live block, so the result is printed in its place. */
  finish(): void {
    if (this.timer) clearInterval(this.timer);
    this.timer = null;
    // Each line is erased on its own: an erase-below from the top-left corner is a clear screen to some terminals
    // (tmux's scroll-on-clear pushes the screen into the scrollback).
    if (this.drawn > 0) this.out.write(`\x1b[${this.drawn}A${'\x1b[2K\n'.repeat(this.drawn)}\x1b[${this.drawn}A`);
    this.drawn = 0;
  }

  private askLatestLine(row: ProgressRow): void {
    if (this.asking.has(row.name)) return;
    this.asking.add(row.name);
    void this.latestLogLine(row.name)
      .then((line) => (row.lastLog = line ?? row.lastLog))
      .catch(() => undefined)
      .finally(() => this.asking.delete(row.name));
  }

  private draw(): void {
    const now = Date.now();
    // A line must never wrap, or redrawing in place climbs too few rows: keep a margin for glyphs (● ◐ …) that
    // some terminals draw two columns wide.
    const width = Math.max(20, this.out.columns - 4);
    const nameWidth = Math.max(...[...this.rows.keys()].map((n) => n.length));
    const lines = [...this.rows.values()].map((row) => {
      if (row.status && row.status.state !== 'ready') this.askLatestLine(row);
      return progressLine(row, nameWidth, this.startedAt, now, width);
    });
    const up = this.drawn > 0 ? `\x1b[${this.drawn}A` : '';
    this.out.write(`${up}${lines.map((l) => `\x1b[2K${l}\n`).join('')}`);
    this.drawn = lines.length;
  }
}

/**
 * What `stop` shows while a service drains: a line each time its count of requests in flight changes ("llama:
 * draining, waiting for 2 requests in flight (cut in 28s)"); nothing for one with nothing in flight.
 */
export class DrainProgress {
  private readonly shown = new Map<string, number>();

  constructor(
    /** The services asked to stop (empty: all). */
    private readonly names: string[],
    private readonly write: (line: string) => void,
  ) {}

  onEvent(event: StateChangeEvent): void {
    const s = event.status;
    if (this.names.length > 0 && !this.names.includes(event.service)) return;
    const inFlight = s.state === 'draining' ? (s.drain?.inFlight ?? 0) : 0;
    if (inFlight === 0 || this.shown.get(event.service) === inFlight) return;
    this.shown.set(event.service, inFlight);
    this.write(`${event.service}: draining, ${drainWait(s) ?? ''}\n`);
  }
}
