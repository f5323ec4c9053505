import fs from 'node:fs';
import treeKill from 'tree-kill';
import { protectedPids } from './protected-pids.js';

const HAS_PROC = fs.existsSync('/proc/self/stat');
import { ProcTable } from './proc-table.js';
import type { ProcessIdentity } from './identity.js';

export interface StopOptions {
  /** Time between SIGTERM and SIGKILL; 0 = SIGKILL at once (force-stop). */
  timeoutMs: number;
  pollMs?: number;
  readTable?: () => ProcTable;
  /** Asked while waiting out `timeoutMs`: true skips the rest of the wait (a force-stop came in). */
  shouldForce?: () => boolean;
  /** Descendants seen earlier (pid → start ticks): found even after they left the group and lost their parent. */
  alsoTrack?: Map<number, number>;
  /** Processes identified as the service's some other way (its environment marker), looked up on every scan. */
  members?: (table: ProcTable) => Iterable<number>;
}

export interface StopOutcome {
  /** SIGKILL was needed. */
  killed: boolean;
  /** Pids that had to be signalled (group members and descendants). */
  signalled: number[];
}

/**
 * Stops the service whose group leader is `leader` (it was spawned with setsid, so its pgid is its pid).
 * Done only when the whole group and every descendant are gone, not when the leader exits: children that
 * outlive the leader keep the port. Only processes whose pid AND start time we saw are signalled.
 * The group id stays ours while its leader (pid + start time) lives, or while that pid is unused: the kernel
 * never hands out a pid that is still some group's id, so members of a group whose leader died are ours.
 */
export async function stopProcessTree(leader: ProcessIdentity, options: StopOptions): Promise<StopOutcome> {
  const readTable = options.readTable ?? (() => ProcTable.read());
  const pollMs = options.pollMs ?? 50;
  const tracked = new Map<number, number>(options.alsoTrack); // pid -> start ticks
  const never = protectedPids(readTable());
  if (never.has(leader.pid)) return { killed: false, signalled: [] };
  const everSignalled = new Set<number>();

  const refresh = (): ProcTable => {
    const table = readTable();
    for (const [pid, ticks] of tracked) if (table.byPid.get(pid)?.startTicks !== ticks) tracked.delete(pid);
    const leaderAlive = table.byPid.get(leader.pid)?.startTicks === leader.startTicks;
    const groupOurs = leaderAlive || tracked.size > 0 || !table.byPid.has(leader.pid);
    const roots = leaderAlive ? [leader.pid, ...tracked.keys()] : [...tracked.keys()];
    if (options.members) roots.push(...options.members(table));
    for (const pid of table.groupAndDescendants(groupOurs ? leader.pid : -1, roots)) {
      const stat = table.byPid.get(pid)!;
      if (!tracked.has(pid)) tracked.set(pid, stat.startTicks);
    }
    return table;
  };

  const signalAll = (signal: NodeJS.Signals) => {
    const leaderTracked = tracked.get(leader.pid) === leader.startTicks;
    if (tracked.size > 0 && !never.has(leader.pid)) {
      try {
        process.kill(-leader.pid, signal);
      } catch {
        // the group may be empty while descendants that left it live on
      }
    }
    // Without /proc (macOS) the tree above came from one ps listing; tree-kill fills in what that missed. On Linux
    // every pid signalled was identified by pid + start time: tree-kill's own later ps listing would not be.
    if (signal === 'SIGKILL' && leaderTracked && !HAS_PROC) treeKill(leader.pid, 'SIGKILL', () => undefined);
    for (const pid of tracked.keys()) {
      if (never.has(pid)) continue;
      everSignalled.add(pid);
      try {
        process.kill(pid, signal);
      } catch {
        // already gone
      }
    }
  };

  refresh();
  if (tracked.size === 0) return { killed: false, signalled: [] };
  const waitGone = async (deadline: number) => {
    while (Date.now() < deadline && !options.shouldForce?.()) {
      await delay(pollMs);
      refresh();
      if (tracked.size === 0) return true;
    }
    return false;
  };
  let killed = false;
  if (options.timeoutMs > 0) {
    signalAll('SIGTERM');
    // A stopped (SIGSTOP, Ctrl-Z) process would sit on its SIGTERM until the SIGKILL: let it handle it now.
    signalAll('SIGCONT');
    if (await waitGone(Date.now() + options.timeoutMs)) return { killed, signalled: [...everSignalled] };
  }
  // SIGKILL cannot be ignored, but a fork loop forks between a scan and the kill, and its orphans leave the tree:
  // stop everything first, scanning again until nothing new appears, then kill what holds still.
  killed = true;
  await freeze(refresh, signalAll, tracked, pollMs);
  for (;;) {
    refresh();
    if (tracked.size === 0) break;
    signalAll('SIGKILL');
    await delay(pollMs);
  }
  return { killed, signalled: [...everSignalled] };
}

/**
 * SIGSTOPs every tracked process, scanning again until a scan finds nothing new and every process is stopped (a
 * stopped process cannot fork). Bounded: after 2 s the kill goes ahead with whatever holds still.
 */
async function freeze(refresh: () => ProcTable, signalAll: (signal: NodeJS.Signals) => void, tracked: Map<number, number>, pollMs: number): Promise<void> {
  const deadline = Date.now() + 2000;
  while (Date.now() < deadline) {
    const before = new Set(tracked.keys());
    signalAll('SIGSTOP');
    const table = refresh();
    const grew = [...tracked.keys()].some((pid) => !before.has(pid));
    const allStopped = [...tracked.keys()].every((pid) => /^[Tt]$/.test(table.byPid.get(pid)?.state ?? 'T'));
    if (!grew && allStopped) return;
    if (!grew) await delay(Math.min(pollMs, 5));
  }
}

/** Every live process of the tree (for CPU/memory and for "is anything left?"). */
export function liveTree(leader: ProcessIdentity, table: ProcTable): number[] {
  const leaderAlive = table.byPid.get(leader.pid)?.startTicks === leader.startTicks;
  if (leaderAlive) return table.groupAndDescendants(leader.pid, [leader.pid]);
  return table.byPid.has(leader.pid) ? [] : table.groupAndDescendants(leader.pid, []);
}

const delay = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
