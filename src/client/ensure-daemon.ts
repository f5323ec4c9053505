import { spawn } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import type { StackConfig } from '../config/types.js';
import { writeFileAtomic } from '../shared/write-file-atomic.js';
import { fileURLToPath } from 'node:url';
import { ensurePrivateDir, type DaemonPaths } from '../daemon/paths.js';
import { readLastLines } from '../logs/tail.js';
import { assertSafeDir, openOwnFileForAppend } from '../logs/safe-open.js';
import { LlamaTopError } from '../protocol/errors.js';
import type { DaemonClient } from './daemon-client.js';
import { connectOwnDaemon } from './own-daemon.js';

const DAEMON_MAIN = fileURLToPath(new URL('../daemon/main.js', import.meta.url));
// The daemon mostly sleeps: V8's lite mode (no optimising compiler) saves ~5 MB of its ~52 MB RSS at no
// measurable CPU cost (bench/status-and-idle.mjs); --no-expose-wasm silences the warning lite mode prints into
// daemon.log (wasm is off in lite mode either way). LLAMA_TOP_DAEMON_NODE_ARGS replaces them (e.g. for --cpu-prof).
const DAEMON_NODE_ARGS = (process.env.LLAMA_TOP_DAEMON_NODE_ARGS ?? '--lite-mode --no-expose-wasm').split(' ').filter(Boolean);

/** Connects to the config's daemon, starting it (detached, in its own session) when there is none. */
export async function ensureDaemon(config: StackConfig, paths: DaemonPaths, deadlineMs = 15_000): Promise<DaemonClient> {
  const running = await connectOwnDaemon(paths);
  if (running) return running;
  // absent or stale: start one
  assertSafeDir(path.dirname(paths.stateDir), 'the state directory');
  assertSafeDir(path.dirname(config.logs.dir), 'logs.dir');
  assertSafeDir(config.logs.dir, "this stack's log directory", true);
  ensurePrivateDir(paths.stateDir, 'the state directory');
  ensurePrivateDir(paths.socketDir, 'the socket directory');
  // The client has parsed and validated the config: the daemon reads the result and never loads yaml or zod.
  const resolved = path.join(paths.stateDir, 'config.resolved.json');
  writeFileAtomic(resolved, JSON.stringify(config));
  // The daemon writes and rotates daemon.log itself; stderr goes there too, for what only node can say (a fatal error).
  const out = openOwnFileForAppend(paths.daemonLog);
  const child = spawn(process.execPath, [...DAEMON_NODE_ARGS, DAEMON_MAIN, '--config', config.file, '--resolved', resolved], {
    detached: true,
    stdio: ['ignore', 'ignore', out],
    env: process.env,
  });
  fs.closeSync(out);
  let exitCode: number | null = null;
  child.once('exit', (code) => (exitCode = code ?? 1));
  child.unref();
  const deadline = Date.now() + deadlineMs;
  for (;;) {
    const started = await connectOwnDaemon(paths); // null while it is not listening yet
    if (started) return started;
    if (exitCode !== null) {
      const why = (readLastLines(paths.daemonLog, 1)[0] ?? `exit code ${exitCode}`).replace(/^\S+Z /, '');
      // Another client's daemon won the race for the lock: wait for it to listen instead.
      if (!/already runs/.test(why)) throw new LlamaTopError('UNREACHABLE', `the daemon failed to start: ${why}`, `see ${paths.daemonLog}`);
    }
    if (Date.now() > deadline) throw new LlamaTopError('UNREACHABLE', `the daemon did not open ${paths.socket} within ${deadlineMs / 1000}s`, `see ${paths.daemonLog}`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}
