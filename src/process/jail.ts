import type { Jail } from './containment.js';
import { cgroupPids } from './cgroup.js';
import type { ProcessIdentity } from './identity.js';
import { liveTree, stopProcessTree, type StopOptions } from './kill-tree.js';
import { earliestTicks, markerStartMs, type MarkerScanner } from './marker.js';
import type { ProcTable } from './proc-table.js';
import { stopCgroup } from './stop-cgroup.js';

/** The live processes of a jail (not zombies): its cgroup's, or those carrying its marker. */
export function jailPids(jail: Jail, table: ProcTable, scanner: MarkerScanner): number[] {
  if (jail.kind === 'cgroup') return cgroupPids(jail.path).filter((pid) => table.byPid.has(pid));
  const since = earliestTicks(markerStartMs(jail.id) ?? 0);
  return [...scanner.scan(table, jail.id, since)].filter(([, id]) => id === jail.id).map(([pid]) => pid);
}

/** Every live process of a service: its process tree and, with a jail, whatever the jail holds. */
export function servicePids(leader: ProcessIdentity | null, jail: Jail | null, table: ProcTable, scanner: MarkerScanner): number[] {
  const out = new Set<number>(leader ? liveTree(leader, table) : []);
  if (jail) for (const pid of jailPids(jail, table, scanner)) out.add(pid);
  return [...out];
}

export interface ServiceStopOutcome {
  killed: boolean;
  /** Why a cgroup could not be removed, or null. */
  problem: string | null;
}

/**
 * Stops everything of a service: a cgroup jail by its cgroup (see stop-cgroup.ts); a marker jail by its process
 * group and descendants plus every process carrying its marker (see kill-tree.ts); without a jail (a state file
 * from an older version) by the group and descendants alone.
 */
export async function stopService(leader: ProcessIdentity | null, jail: Jail | null, scanner: MarkerScanner, options: StopOptions): Promise<ServiceStopOutcome> {
  let killed = false;
  if (jail?.kind === 'cgroup') {
    const outcome = await stopCgroup(jail.path, options);
    killed = outcome.killed;
    if (!outcome.removed) return { killed, problem: `its cgroup ${jail.path} could not be emptied and removed: a process there cannot be killed by llama-top (moved in by another user?)` };
  }
  const members = jail?.kind === 'marker' ? (table: ProcTable) => jailPids(jail, table, scanner) : undefined;
  // For a cgroup jail this finds nothing left, unless the leader never made it into the cgroup.
  if (leader && leader.startTicks >= 0) killed = (await stopProcessTree(leader, { ...options, members })).killed || killed;
  return { killed, problem: null };
}
