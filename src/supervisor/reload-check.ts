import type { ServiceConfig } from '../config/types.js';
import { liveTree } from '../process/kill-tree.js';
import type { ProcessIdentity } from '../process/identity.js';
import { ProcTable } from '../process/proc-table.js';
import { describePortHolder, findPortHolder } from '../process/ports.js';
import { spawnProblem } from './spawn-check.js';

/**
 * What would keep a changed service from starting with its new settings (binary, working directory, model file, a
 * port held by a process not of its own tree), checked before its running instance is stopped; null when none.
 */
export async function reloadProblem(next: ServiceConfig, current: ProcessIdentity | null): Promise<string | null> {
  const problem = spawnProblem(next);
  if (problem) return `services.${next.name}.${problem.key}: ${problem.message}`;
  if (next.port === undefined) return null;
  const holder = await findPortHolder(next.port, next.host);
  if (!holder) return null;
  const ours = current ? liveTree(current, ProcTable.read()) : [];
  if (holder.pid !== null && ours.includes(holder.pid)) return null;
  return `services.${next.name}.port: ${describePortHolder(next.port, holder)}`;
}
