import fs from 'node:fs';
import type { ServiceConfig } from '../config/types.js';
import { LlamaTopError } from '../protocol/errors.js';
import { resolveBinary } from '../process/spawner.js';

/** Checks a service can be spawned at all (binary, model, cwd) before asking the daemon: a config error, exit 2. */
export function preflight(svc: ServiceConfig, configFile: string): void {
  const binary = svc.argv[0]!;
  if (!resolveBinary(binary, svc.cwd, svc.env.PATH ?? process.env.PATH))
    throw new LlamaTopError(
      'CONFIG',
      `${binary}: not found${binary.includes('/') ? '' : ' on PATH'} (service ${svc.name} in ${configFile})`,
      `install it, or set services.${svc.name}.command to its full path`,
    );
  if (svc.model && !fs.existsSync(svc.model))
    throw new LlamaTopError('CONFIG', `${configFile}: services.${svc.name}.model: ${svc.model} does not exist`, 'fix the path (relative paths are relative to the config file)');
  if (!fs.existsSync(svc.cwd))
    throw new LlamaTopError('CONFIG', `${configFile}: services.${svc.name}.cwd: ${svc.cwd} does not exist`);
}
