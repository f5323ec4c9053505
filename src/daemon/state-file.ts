import { isSameProcess } from '../process/identity.js';
import fs from 'node:fs';
import type { SavedService } from '../supervisor/supervisor.js';
import { writeFileAtomic } from '../shared/write-file-atomic.js';

export interface DaemonStateFile {
  version: 1;
  daemonPid: number;
  configFile: string;
  updatedAt: string;
  services: Record<string, SavedService>;
  envOverrides?: Record<string, Record<string, string>>;
}

const isStateFile = (value: unknown): value is DaemonStateFile =>
  typeof value === 'object' && value !== null && (value as DaemonStateFile).version === 1 && typeof (value as DaemonStateFile).services === 'object';

function parseStateFile(file: string): DaemonStateFile | null {
  try {
    const parsed = JSON.parse(fs.readFileSync(file, 'utf8')) as unknown;
    return isStateFile(parsed) ? parsed : null;
  } catch {
    return null;
  }
}

/** Writes the state; the copy it replaces is kept as .prev, but only if it was a good one. */
export function writeStateFile(file: string, state: DaemonStateFile): void {
  writeFileAtomic(file, JSON.stringify(state, null, 2), parseStateFile(file) !== null);
}

export interface StateRead {
  state: DaemonStateFile | null;
  /** Which copy it came from; `damaged` names a file that exists but cannot be read. */
  from: 'current' | 'previous' | null;
  damaged: string | null;
}

/**
 * The current state, else the previous copy. A damaged current file is moved aside (never silently replaced by
 * the next write, which would lose the processes it lists), and the caller is told.
 */
export function readStateFile(file: string): StateRead {
  const current = parseStateFile(file);
  if (current) return { state: current, from: 'current', damaged: null };
  let damaged: string | null = null;
  if (fs.existsSync(file)) {
    damaged = `${file}.damaged-${Date.now()}`;
    fs.renameSync(file, damaged);
  }
  const previous = parseStateFile(`${file}.prev`);
  return { state: previous, from: previous ? 'previous' : null, damaged };
}

/** Services the last daemon recorded whose process still runs (same pid and start time): read-only, for clients. */
export function survivingServices(file: string): string[] {
  let services: Record<string, { pid: number; startTicks: number }> = {};
  for (const candidate of [file, `${file}.prev`]) {
    try {
      services = JSON.parse(fs.readFileSync(candidate, 'utf8')).services ?? {};
      break;
    } catch {
      // try the previous copy
    }
  }
  return Object.entries(services)
    .filter(([, s]) => s.pid > 1 && isSameProcess({ pid: s.pid, startTicks: s.startTicks }))
    .map(([name]) => name);
}

/**
 * Exists while state.json holds the latest state; removed (which needs no disk space) as soon as a write fails.
 * A daemon that finds state.json without it knows the file may be stale.
 */
export const savedMarkFile = (file: string) => `${file}.saved`;

/** Was the last write of `file` not known to have landed (a write failed, or a daemon died before it could say)? */
export function stateMightBeStale(file: string): boolean {
  return fs.existsSync(file) && !fs.existsSync(savedMarkFile(file));
}

const RETRY_FIRST_MS = 250;
const RETRY_MAX_MS = Number(process.env.LLAMA_TOP_STATE_RETRY_MAX_MS) || 5000;

/**
 * Writes state.json, and when that fails (a full disk) keeps trying the latest state with backoff until it lands,
 * without waiting for another change. Meanwhile `problem()` says the stack's state is unsaved.
 */
export class StateWriter {
  private pending: DaemonStateFile | null = null;
  private timer: NodeJS.Timeout | null = null;
  private retryMs = RETRY_FIRST_MS;
  private failingSince: number | null = null;
  private lastError = '';

  constructor(
    private readonly file: string,
    private readonly log: (line: string) => void,
  ) {}

  /** Saves `state` now, or, while writes fail, as soon as one succeeds. */
  save(state: DaemonStateFile): void {
    this.pending = state;
    if (!this.timer) this.flush();
  }

  /** True while the latest state has not reached the disk. */
  get unsaved(): boolean {
    return this.pending !== null;
  }

  problem(): string | null {
    if (this.failingSince === null || !this.unsaved) return null;
    const since = new Date(this.failingSince).toISOString().slice(11, 19);
    return `the stack's state is unsaved: ${this.file} could not be written since ${since} UTC (${this.lastError}); retrying every ${Math.round(this.retryMs / 1000) || 1} s until it lands. A daemon started meanwhile checks for running copies before it starts anything`;
  }

  dispose(): void {
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
  }

  private flush(): void {
    this.timer = null;
    const state = this.pending;
    if (!state) return;
    try {
      writeStateFile(this.file, state);
    } catch (error) {
      const code = (error as NodeJS.ErrnoException).code;
      this.lastError = code ? `${code}: ${(error as Error).message.split(',')[0]}` : (error as Error).message;
      fs.rmSync(savedMarkFile(this.file), { force: true });
      if (this.failingSince === null) {
        this.failingSince = Date.now();
        this.log(`cannot write ${this.file}: ${(error as Error).message}; retrying until it lands`);
      }
      this.timer = setTimeout(() => this.flush(), this.retryMs);
      this.timer.unref();
      this.retryMs = Math.min(this.retryMs * 2, RETRY_MAX_MS);
      return;
    }
    if (this.pending === state) this.pending = null;
    this.markSaved();
    if (this.failingSince !== null) this.log(`${this.file} written again (it could not be written for ${Math.round((Date.now() - this.failingSince) / 1000)} s)`);
    this.failingSince = null;
    this.retryMs = RETRY_FIRST_MS;
  }

  private markSaved(): void {
    try {
      fs.closeSync(fs.openSync(savedMarkFile(this.file), 'a', 0o600));
    } catch {
      // no room even for an empty file: state.json counts as possibly stale, which only makes a successor careful
    }
  }
}
