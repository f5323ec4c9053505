import fs from 'node:fs';
import path from 'node:path';
import type { ServiceConfig } from '../config/types.js';
import { resolveBinary } from '../process/spawner.js';

export interface SpawnProblem {
  /** The config key to fix, under services.<name>. */
  key: 'command' | 'cwd' | 'model';
  message: string;
}

/** What would stop `svc` from being spawned at all: binary, working directory, model file. */
export function spawnProblem(svc: ServiceConfig): SpawnProblem | null {
  const binary = svc.argv[0]!;
  if (!resolveBinary(binary, svc.cwd, svc.env.PATH ?? process.env.PATH))
    return { key: 'command', message: `${binary}: not found${binary.includes('/') ? '' : ' on PATH'} (install it, or set services.${svc.name}.command to its full path)` };
  if (!fs.existsSync(svc.cwd)) return { key: 'cwd', message: `working directory ${svc.cwd} does not exist (services.${svc.name}.cwd)` };
  // A model that is a path must be there; one that is a name (a Hugging Face repo for vllm) is the server's to find.
  if (svc.model && path.isAbsolute(svc.model) && !fs.existsSync(svc.model)) return { key: 'model', message: `model file ${svc.model} does not exist (services.${svc.name}.model; relative paths are relative to the config file)` };
  return null;
}
