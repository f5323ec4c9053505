import { spawn } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import type { StackConfig } from '../config/types.js';
import { writeFileAtomic } from '../daemon/state-file.js';
import { fileURLToPath } from 'node:url';
import { ensurePrivateDir, type DaemonPaths } from '../daemon/paths.js';
import { readLastLines } from '../logs/tail.js';
import { LlamaTopError } from '../protocol/errors.js';
import { DaemonClient } from './daemon-client.js';

const DAEMON_MAIN = fileURLToPath(new URL('../daemon/main.js', import.meta.url));
// The daemon mostly sleeps: V8's lite mode (no optimising compiler) saves ~5 MB of its ~52 MB RSS at no
// measurable CPU cost (bench/status-and-idle.mjs). LLAMA_TOP_DAEMON_NODE_ARGS replaces it (e.g. for --cpu-prof).
const DAEMON_NODE_ARGS = (process.env.LLAMA_TOP_DAEMON_NODE_ARGS ?? '--lite-mode').split(' ').filter(Boolean);

const DAEMON_LOG_MAX_BYTES = 5 * 1024 * 1024;

/** Each daemon appends to daemon.log; past 5 MB the old log becomes daemon.log.1 (one generation kept). */
function rotateDaemonLog(file: string): void {
  try {
    if (fs.statSync(file).size > DAEMON_LOG_MAX_BYTES) fs.renameSync(file, `${file}.1`);
  } catch {
    // no log yet
  }
}

/** Connects to the config's daemon, starting it (detached, in its own session) when there is none. */
export async function ensureDaemon(config: StackConfig, paths: DaemonPaths, deadlineMs = 15_000): Promise<DaemonClient> {
  try {
    return await DaemonClient.connect(paths.socket);
  } catch {
    // absent or stale: start one
  }
  ensurePrivateDir(paths.stateDir);
  // The client has parsed and validated the config: the daemon reads the result and never loads yaml or zod.
  const resolved = path.join(paths.stateDir, 'config.resolved.json');
  writeFileAtomic(resolved, JSON.stringify(config));
  rotateDaemonLog(paths.daemonLog);
  const out = fs.openSync(paths.daemonLog, 'a', 0o600);
  const child = spawn(process.execPath, [...DAEMON_NODE_ARGS, DAEMON_MAIN, '--config', config.file, '--resolved', resolved], {
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
      const why = (readLastLines(paths.daemonLog, 1)[0] ?? `exit code ${exitCode}`).replace(/^\S+Z /, '');
      // Another client's daemon won the race for the lock: wait for it to listen instead.
      if (!/already runs/.test(why)) throw new LlamaTopError('UNREACHABLE', `the daemon failed to start: ${why}`, `see ${paths.daemonLog}`);
    }
    if (Date.now() > deadline) throw new LlamaTopError('UNREACHABLE', `the daemon did not open ${paths.socket} within ${deadlineMs / 1000}s`, `see ${paths.daemonLog}`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}
