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

/** A member of a started service's group: the start swaps it out (drains it, stops it) first. */
export interface SwapMate {
  group: string;
  /** The service it makes way for. */
  for: string;
}

/** One swapped-out member as the progress saw it: its latest status, and what its drain was waiting for last. */
interface SwapRow {
  name: string;
  mate: SwapMate;
  status: ServiceStatus;
  /** Requests in flight at its last draining event, and when drainTimeout was to cut them. */
  lastInFlight: number;
  cutAt: number | null;
  /** Requests in flight when the drain ended, judged cut when it ended at the cut time (null: not ended yet). */
  cut: number | null;
  shownInFlight: number | null;
}

/** "swapping out alpha (group cpu0) for beta: waiting for 1 request in flight (cut in 5s)". Pure. */
export function swapLine(name: string, mate: SwapMate, s: ServiceStatus, now: number): string {
  const what = s.state === 'draining' ? (drainWait(s, now) ?? 'draining') : s.state === 'stopped' ? 'stopped' : stateLabel(s, now);
  return `swapping out ${name} (group ${mate.group}) for ${mate.for}: ${what}`;
}

/** After the start, what the swap did: "alpha swapped out for beta (group cpu0) · 1 request cut after drainTimeout". Pure. */
export function swapSummary(name: string, mate: SwapMate, cut: number | null): string {
  const cutText = cut ? ` · ${cut === 1 ? '1 request' : `${cut} requests`} in flight cut after drainTimeout` : '';
  return `${name} swapped out for ${mate.for} (group ${mate.group})${cutText}`;
}

/** The other members of the groups of `names`, each with the service it makes way for. Pure. */
export function swapMates(services: Array<{ name: string; group?: string | null }>, names: string[]): Map<string, SwapMate> {
  const mates = new Map<string, SwapMate>();
  for (const name of names) {
    const group = services.find((s) => s.name === name)?.group;
    if (!group) continue;
    for (const other of services) if (other.group === group && !names.includes(other.name)) mates.set(other.name, { group, for: name });
  }
  return mates;
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
  /** Group members this start swaps out, once they begin to drain or stop. */
  private readonly swaps = new Map<string, SwapRow>();

  constructor(
    names: string[],
    private readonly out: ProgressOutput,
    /** The service's latest log line, as the daemon reads it (asked again only once the last answer came). */
    private readonly latestLogLine: (service: string) => Promise<string | null>,
    /** The other members of the started services' groups (see swapMates). */
    private readonly mates: Map<string, SwapMate> = new Map(),
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
    const mate = this.mates.get(event.service);
    if (mate) return this.onMateEvent(event, mate);
    const row = this.rows.get(event.service);
    if (!row) return;
    row.status = event.status;
    if (!this.out.isTTY) this.out.write(`${changeLine(event, this.startedAt, Date.now())}\n`);
  }

  /** A group member on its way out for a started service: shown while it drains and stops, with its drain's count. */
  private onMateEvent(event: StateChangeEvent, mate: SwapMate): void {
    const s = event.status;
    let row = this.swaps.get(event.service);
    if (!row) {
      if (!['draining', 'stopping'].includes(s.state)) return;
      row = { name: event.service, mate, status: s, lastInFlight: 0, cutAt: null, cut: null, shownInFlight: null };
      this.swaps.set(event.service, row);
    }
    const wasDraining = row.status.state === 'draining';
    row.status = s;
    if (s.state === 'draining' && s.drain) {
      row.lastInFlight = s.drain.inFlight;
      row.cutAt = Date.parse(s.drain.cutAt);
    } else if (wasDraining && row.cut === null) {
      // The drain ended: at its cut time with requests still in flight, those were cut.
      row.cut = row.cutAt !== null && Date.now() >= row.cutAt - 250 ? row.lastInFlight : 0;
    }
    if (this.out.isTTY) return;
    const inFlight = s.state === 'draining' ? (s.drain?.inFlight ?? 0) : -1;
    if (s.state === 'draining' && row.shownInFlight === inFlight) return;
    if (s.state !== 'draining' && s.state !== 'stopped' && row.shownInFlight !== null) return; // stopping after the drain: its end says it
    row.shownInFlight = inFlight;
    const line = s.state === 'stopped' ? swapSummary(row.name, mate, row.cut) : swapLine(row.name, mate, s, Date.now());
    this.out.write(`${line}\n`);
  }

  /** On a terminal (where the live block is erased): what each swap did, a line each, to print with the result. */
  swapNotes(): string[] {
    if (!this.out.isTTY) return [];
    return [...this.swaps.values()].filter((r) => r.status.state === 'stopped').map((r) => swapSummary(r.name, r.mate, r.cut));
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
    const lines = [
      ...[...this.swaps.values()].filter((r) => r.status.state !== 'stopped').map((r) => cliTruncate(`${GLYPH[r.status.state] ?? ' '} ${swapLine(r.name, r.mate, r.status, now)}`, width)),
      ...[...this.rows.values()].map((row) => {
        if (row.status && row.status.state !== 'ready') this.askLatestLine(row);
        return progressLine(row, nameWidth, this.startedAt, now, width);
      }),
    ];
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
