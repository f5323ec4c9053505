import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import { parseProcStat, type ProcStat } from './proc-stat.js';
import { readPsTable } from './ps-table.js';

const HAS_PROC = fs.existsSync('/proc/self/stat');

/** A snapshot of every process, read from /proc once; all tree and group queries run on it. */
export class ProcTable {
  readonly byPid = new Map<number, ProcStat>();
  private readonly childrenOf = new Map<number, number[]>();

  constructor(stats: Iterable<ProcStat>) {
    for (const stat of stats) {
      if (stat.state === 'Z') continue; // a zombie holds nothing and cannot be signalled away
      this.byPid.set(stat.pid, stat);
      const list = this.childrenOf.get(stat.ppid);
      if (list) list.push(stat.pid);
      else this.childrenOf.set(stat.ppid, [stat.pid]);
    }
  }

  /** Every process from /proc, or from `ps` where there is no /proc (macOS). */
  static read(procDir = '/proc'): ProcTable {
    if (!HAS_PROC && procDir === '/proc') return new ProcTable(readPsTable());
    const stats: ProcStat[] = [];
    let entries: string[];
    try {
      entries = fs.readdirSync(procDir);
    } catch {
      return new ProcTable([]);
    }
    for (const entry of entries) {
      const c = entry.charCodeAt(0);
      if (c < 48 || c > 57) continue;
      const stat = readProcStat(Number(entry), procDir);
      if (stat) stats.push(stat);
    }
    return new ProcTable(stats);
  }

  /** `pid` and every descendant still alive. */
  tree(pid: number): number[] {
    if (!this.byPid.has(pid)) return [];
    const out: number[] = [];
    const stack = [pid];
    while (stack.length) {
      const p = stack.pop()!;
      out.push(p);
      for (const child of this.childrenOf.get(p) ?? []) stack.push(child);
    }
    return out;
  }

  /** Members of process group `pgid` and their descendants (grandchildren that left the group included). */
  groupAndDescendants(pgid: number, alsoTrack: Iterable<number> = []): number[] {
    const roots = new Set<number>();
    for (const stat of this.byPid.values()) if (stat.pgid === pgid) roots.add(stat.pid);
    for (const pid of alsoTrack) if (this.byPid.has(pid)) roots.add(pid);
    const all = new Set<number>();
    for (const root of roots) for (const p of this.tree(root)) all.add(p);
    return [...all];
  }
}

export function readProcStat(pid: number, procDir = '/proc'): ProcStat | null {
  if (!HAS_PROC && procDir === '/proc') return readPsTable(pid)[0] ?? null;
  try {
    const stat = parseProcStat(fs.readFileSync(`${procDir}/${pid}/stat`, 'utf8'));
    return stat?.state === 'Z' && otherThreadsLive(pid, procDir) ? { ...stat, state: EXITING } : stat;
  } catch {
    return null;
  }
}

/**
 * The state of a zombie thread-group leader whose other threads still run: the leader's own thread has exited, but
 * the process still holds its files (a listening port) until the last thread is gone. It is alive for every
 * purpose here (a stop waits for it, a restart must not bind before it ends).
 */
export const EXITING = 'exiting';

/** True while `pid`'s thread group has a thread other than its (exited) leader. */
function otherThreadsLive(pid: number, procDir: string): boolean {
  try {
    return fs.readdirSync(`${procDir}/${pid}/task`).length > 1;
  } catch {
    return false;
  }
}

/** Start time of `pid` in clock ticks, or null when it is gone (or a zombie). */
export function processStartTicks(pid: number): number | null {
  const stat = readProcStat(pid);
  return stat && stat.state !== 'Z' ? stat.startTicks : null;
}

export function processName(pid: number): string | null {
  try {
    return fs.readFileSync(`/proc/${pid}/comm`, 'utf8').trim();
  } catch {
    try {
      return execFileSync('ps', ['-o', 'comm=', '-p', String(pid)], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] }).trim().split('/').pop() || null;
    } catch {
      return null;
    }
  }
}
