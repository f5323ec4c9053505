import type { ServiceConfig } from '../config/types.js';
import { LlamaTopError } from '../protocol/errors.js';
import { spawnProblem } from '../supervisor/spawn-check.js';

/** Checks a service can be spawned at all before asking the daemon: a config error, exit 2. */
export function preflight(svc: ServiceConfig, configFile: string): void {
  const problem = spawnProblem(svc);
  if (problem) throw new LlamaTopError('CONFIG', `${configFile}: service ${svc.name}: ${problem.message}`);
}
