import fs from 'node:fs';
import path from 'node:path';

export interface Invocation {
  /** npm_lifecycle_event / npm_lifecycle_script when run by `npm run <script>`. */
  npmScript?: string;
  npmScriptCommand?: string;
  /** The bin script this process runs (process.argv[1]). */
  argv1: string;
  /** What `llama-top` on PATH resolves to, if anything. */
  onPath: string | null;
  cwd: string;
  demo: boolean;
  /** --config as the user wrote it, if they did. */
  config?: string;
}

/**
 * How the user runs llama-top from where they stand, for hints: `npm run demo --`, `llama-top demo`,
 * `node bin/llama-top.js --config x.yaml`. A hint must be a command that works when pasted. Pure.
 */
export function commandPrefix(i: Invocation): string {
  if (i.npmScript && i.npmScriptCommand?.includes('llama-top')) return `npm run ${i.npmScript} --`;
  const relative = path.relative(i.cwd, i.argv1);
  const self = i.onPath !== null && i.onPath === i.argv1 ? 'llama-top' : `node ${relative && !relative.startsWith('..') ? relative : i.argv1}`;
  if (i.demo) return `${self} demo`;
  return i.config ? `${self} --config ${i.config}` : self;
}

/** The real path of `name` on PATH, or null. */
export function findOnPath(name: string, envPath = process.env.PATH ?? ''): string | null {
  for (const dir of envPath.split(path.delimiter).filter(Boolean)) {
    try {
      const file = path.join(dir, name);
      fs.accessSync(file, fs.constants.X_OK);
      return fs.realpathSync(file);
    } catch {
      // not here
    }
  }
  return null;
}

/** This process's invocation. */
export function currentInvocation(demo: boolean, config?: string): Invocation {
  let argv1 = process.argv[1] ?? 'llama-top';
  try {
    argv1 = fs.realpathSync(argv1);
  } catch {
    // keep it as given
  }
  return {
    npmScript: process.env.npm_lifecycle_event,
    npmScriptCommand: process.env.npm_lifecycle_script,
    argv1,
    onPath: findOnPath('llama-top'),
    cwd: process.cwd(),
    demo,
    config,
  };
}
