import { diskProblems } from '../process/disk-space.js';
import type { StackConfig } from '../config/types.js';
import type { ServiceStatus } from '../protocol/messages.js';
import type { DaemonPaths } from './paths.js';

/** The directories the stack writes to, and who cannot write when one is full. */
export function diskPlaces(paths: DaemonPaths, config: StackConfig, services: ServiceStatus[]): Array<{ dir: string; what: string }> {
  const writing = services.filter((s) => s.pid !== null && s.state !== 'external').map((s) => s.name);
  return [
    { dir: paths.stateDir, what: 'state.json and daemon.log cannot be written (the daemon keeps supervising)' },
    { dir: config.logs.dir, what: writing.length ? `the output of ${writing.join(', ')} is dropped until space returns` : 'no running service writes there now' },
  ];
}

/** What the user should know about the stack as a whole: full disks and who cannot write, lost state. */
export function stackProblems(paths: DaemonPaths, config: StackConfig, services: ServiceStatus[], stateLost: string | null): string[] {
  const problems = diskProblems(diskPlaces(paths, config, services));
  if (stateLost) problems.push(stateLost);
  return problems;
}
