import fs from 'node:fs';
import { clockTicksPerSecond } from './tree-metrics.js';
import type { ProcTable } from './proc-table.js';

/** The environment variable every service process inherits: `<stack>/<service>/<start ms>`. */
export const MARKER_VAR = 'LLAMA_TOP_SERVICE_ID';

export const markerId = (stack: string, service: string, startMs: number): string => `${stack}/${service}/${startMs}`;

/** The start time (ms since the epoch) a marker id carries, or null. Pure. */
export function markerStartMs(id: string): number | null {
  const n = Number(id.slice(id.lastIndexOf('/') + 1));
  return Number.isFinite(n) && n > 0 ? n : null;
}

let bootSeconds: number | null = null;
/** When the system booted (btime of /proc/stat, whole seconds), for turning process start ticks into times. */
function bootTime(): number {
  if (bootSeconds === null) {
    try {
      bootSeconds = Number(/^btime (\d+)$/m.exec(fs.readFileSync('/proc/stat', 'utf8'))?.[1] ?? 0);
    } catch {
      bootSeconds = 0;
    }
  }
  return bootSeconds;
}

/**
 * The start tick a process of this service cannot be older than: the service's start, less a second for btime's
 * rounding. A process started before the service began is not one of its processes, whatever its environment says.
 */
export function earliestTicks(startMs: number): number {
  const hz = clockTicksPerSecond();
  return Math.floor((startMs / 1000 - bootTime() - 1) * hz);
}

/** The value of `name` in /proc/PID/environ (the environment the process was executed with), or null. */
export function environValue(pid: number, name: string, procDir = '/proc'): string | null {
  let raw: Buffer;
  try {
    raw = fs.readFileSync(`${procDir}/${pid}/environ`);
  } catch {
    return null;
  }
  const needle = Buffer.from(`${name}=`);
  for (let at = 0; at < raw.length; ) {
    const end = raw.indexOf(0, at);
    const stop = end < 0 ? raw.length : end;
    if (stop - at >= needle.length && raw.subarray(at, at + needle.length).equals(needle)) return raw.subarray(at + needle.length, stop).toString();
    at = stop + 1;
  }
  return null;
}

const uid = process.getuid?.() ?? -1;
const ownedByUs = (pid: number, procDir: string): boolean => {
  try {
    return fs.statSync(`${procDir}/${pid}`).uid === uid;
  } catch {
    return false;
  }
};

/**
 * Finds processes by their marker: owned by us, started no earlier than the service, and executed with
 * `LLAMA_TOP_SERVICE_ID` starting with `prefix`. What it read is remembered per (pid, start time): a process's
 * execution environment never changes, so each process's environ is read once.
 */
export class MarkerScanner {
  private seen = new Map<string, string | null>();

  constructor(private readonly procDir = '/proc') {}

  /** pid → marker id, for every process whose marker starts with `prefix` and that started at or after `sinceTicks`. */
  scan(table: ProcTable, prefix: string, sinceTicks: number): Map<number, string> {
    const out = new Map<number, string>();
    const next = new Map<string, string | null>();
    for (const stat of table.byPid.values()) {
      if (stat.startTicks < sinceTicks || stat.pid === process.pid) continue;
      const key = `${stat.pid}:${stat.startTicks}`;
      let id = this.seen.get(key);
      if (id === undefined) id = ownedByUs(stat.pid, this.procDir) ? environValue(stat.pid, MARKER_VAR, this.procDir) : null;
      next.set(key, id);
      if (id !== null && id.startsWith(prefix)) out.set(stat.pid, id);
    }
    this.seen = next;
    return out;
  }
}
