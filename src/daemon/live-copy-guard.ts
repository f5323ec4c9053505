import type { StackConfig } from '../config/types.js';
import { findLiveCopy, readCommandLines } from '../process/live-copies.js';
import { protectedPids } from '../process/protected-pids.js';
import { LlamaTopError } from '../protocol/errors.js';
import { dependencyOrder } from '../supervisor/start-order.js';
import type { Supervisor } from '../supervisor/supervisor.js';

/**
 * With state.json lost, a service that is not running here may still run unsupervised: starting it again would
 * make a second copy. Refuse while a process with its exact command line lives, until told --force.
 */
export function refuseLiveCopies(supervisor: Supervisor, config: StackConfig, names: string[]): void {
  const pidOf = new Map(supervisor.status().map((s) => [s.name, s.pid]));
  const ignore = new Set([...protectedPids(), ...[...pidOf.values()].filter((pid): pid is number => pid !== null)]);
  const processes = readCommandLines();
  for (const name of dependencyOrder(config.services, supervisor.resolveNames(names))) {
    if (pidOf.get(name) != null) continue;
    const argv = config.services.find((c) => c.name === name)!.argv;
    const pid = findLiveCopy(argv, ignore, processes);
    if (pid !== null)
      throw new LlamaTopError(
        'FAILED',
        `${name}: pid ${pid} already runs its command line (${argv.join(' ')}), and state.json was lost, so it may be a copy this stack started: stop it (kill ${pid}) or run llama-top start --force ${name}`,
      );
  }
}
