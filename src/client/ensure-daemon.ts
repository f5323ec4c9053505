import { spawn } from 'node:child_process';
import fs from 'node:fs';
import { fileURLToPath } from 'node:url';
import { ensurePrivateDir, type DaemonPaths } from '../daemon/paths.js';
import { readLastLines } from '../logs/tail.js';
import { LlamaTopError } from '../protocol/errors.js';
import { DaemonClient } from './daemon-client.js';

const DAEMON_MAIN = fileURLToPath(new URL('../daemon/main.js', import.meta.url));

/** Connects to the config's daemon, starting it (detached, in its own session) when there is none. */
export async function ensureDaemon(configFile: string, paths: DaemonPaths, deadlineMs = 15_000): Promise<DaemonClient> {
  try {
    return await DaemonClient.connect(paths.socket);
  } catch {
    // absent or stale: start one
  }
  ensurePrivateDir(paths.stateDir);
  const out = fs.openSync(paths.daemonLog, 'a', 0o600);
  const child = spawn(process.execPath, [DAEMON_MAIN, '--config', configFile], {
    detached: true,
    stdio: ['ignore', out, out],
    env: process.env,
  });
  fs.closeSync(out);
  let exitCode: number | null = null;
  child.once('exit', (code) => (exitCode = code ?? 1));
  child.unref();
  const deadline = Date.now() + deadlineMs;
  for (;;) {
    try {
      return await DaemonClient.connect(paths.socket);
    } catch {
      // not listening yet
    }
    if (exitCode !== null) {
      // Lost a race with another client's daemon: use that one.
      try {
        return await DaemonClient.connect(paths.socket);
      } catch {
        const why = readLastLines(paths.daemonLog, 1)[0] ?? `exit code ${exitCode}`;
        throw new LlamaTopError('UNREACHABLE', `the daemon failed to start: ${why.replace(/^\S+Z /, '')}`, `see ${paths.daemonLog}`);
      }
    }
    if (Date.now() > deadline) throw new LlamaTopError('UNREACHABLE', `the daemon did not open ${paths.socket} within ${deadlineMs / 1000}s`, `see ${paths.daemonLog}`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}
