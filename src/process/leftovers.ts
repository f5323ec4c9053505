import path from 'node:path';
import { cgroupPids } from './cgroup.js';
import type { Containment, Jail } from './containment.js';
import type { ProcessIdentity } from './identity.js';
import { sameCommandLine } from './live-copies.js';
import { earliestTicks, markerId, markerStartMs, MarkerScanner } from './marker.js';
import { commandLine } from './proc-io.js';
import type { ProcTable } from './proc-table.js';

export interface Leftover {
  leader: ProcessIdentity;
  jail: Jail;
  startedAt: number;
}

/**
 * The leader among a jail's processes: the one running the service's command line, else the oldest. Pure apart
 * from reading command lines.
 */
function pickLeader(pids: number[], table: ProcTable, argv: string[]): ProcessIdentity | null {
  const live = pids.map((pid) => table.byPid.get(pid)).filter((s) => s !== undefined);
  if (live.length === 0) return null;
  const byCommand = live.filter((s) => sameCommandLine(commandLine(s.pid) ?? [], argv));
  const pool = byCommand.length ? byCommand : live;
  const oldest = pool.reduce((a, b) => (b.startTicks < a.startTicks || (b.startTicks === a.startTicks && b.pid < a.pid) ? b : a));
  return { pid: oldest.pid, startTicks: oldest.startTicks };
}

/**
 * A start of `service` that this stack made and no state file lists (it was started while state.json could not be
 * written, and the daemon died before it could be): found by its cgroup under this stack's directory, or by its
 * environment marker (owned by us, started after the start its marker names). The newest such start, or null.
 */
export function findLeftover(containment: Containment, service: string, argv: string[], table: ProcTable, savedCgroups: string[] = []): Leftover | null {
  for (const dir of containment.leftoverCgroups(service, savedCgroups)) {
    const leader = pickLeader(cgroupPids(dir), table, argv);
    const startedAt = Number(path.basename(dir).slice(service.length + 1));
    if (leader) return { leader, jail: { kind: 'cgroup', path: dir, id: markerId(containment.stack, service, startedAt) }, startedAt };
  }
  const byId = new Map<string, number[]>();
  for (const [pid, id] of new MarkerScanner().scan(table, `${containment.stack}/${service}/`, 0)) {
    const startMs = markerStartMs(id);
    if (startMs === null || table.byPid.get(pid)!.startTicks < earliestTicks(startMs)) continue;
    byId.set(id, [...(byId.get(id) ?? []), pid]);
  }
  const newest = [...byId.keys()].sort((a, b) => markerStartMs(b)! - markerStartMs(a)!)[0];
  if (!newest) return null;
  const leader = pickLeader(byId.get(newest)!, table, argv);
  return leader ? { leader, jail: { kind: 'marker', id: newest }, startedAt: markerStartMs(newest)! } : null;
}
