import { spawn } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { identify, type ProcessIdentity } from './identity.js';

export interface SpawnRequest {
  argv: string[];
  cwd: string;
  env: Record<string, string>;
  /** stdout and stderr go to this file, written by the kernel, not through us. */
  logFile: string;
}

export interface SpawnedProcess extends ProcessIdentity {
  /** Resolves with the exit once the leader exits (only for children of this process). */
  exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
}

/** Resolves `binary` like execvp would: as a path when it has a slash, else on PATH. */
export function resolveBinary(binary: string, cwd: string, envPath = process.env.PATH ?? ''): string | null {
  const isExecutable = (file: string) => {
    try {
      fs.accessSync(file, fs.constants.X_OK);
      return fs.statSync(file).isFile();
    } catch {
      return false;
    }
  };
  if (binary.includes('/')) {
    const file = path.resolve(cwd, binary);
    return isExecutable(file) ? file : null;
  }
  for (const dir of envPath.split(path.delimiter)) {
    if (dir && isExecutable(path.join(dir, binary))) return path.join(dir, binary);
  }
  return null;
}

/** Starts a service in its own session and process group, so no hangup or Ctrl-C of ours reaches it. */
export function spawnDetached(request: SpawnRequest): Promise<SpawnedProcess> {
  const fd = fs.openSync(request.logFile, 'a', 0o640);
  try {
    const child = spawn(request.argv[0]!, request.argv.slice(1), {
      cwd: request.cwd,
      env: { ...process.env, ...request.env },
      detached: true,
      stdio: ['ignore', fd, fd],
    });
    return new Promise((resolve, reject) => {
      child.once('error', reject);
      child.once('spawn', () => {
        child.unref();
        const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((res) =>
          child.once('exit', (code, signal) => res({ code, signal })),
        );
        const identity = identify(child.pid!);
        resolve({ pid: child.pid!, startTicks: identity?.startTicks ?? -1, exited });
      });
    });
  } finally {
    fs.closeSync(fd);
  }
}
