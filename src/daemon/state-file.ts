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
