import { createHash } from 'node:crypto';
import os from 'node:os';
import path from 'node:path';

export interface DaemonPaths {
  stateDir: string;
  stateFile: string;
  lockFile: string;
  daemonLog: string;
  logsDir: string;
  socketDir: string;
  socket: string;
}

const SOCKET_PATH_MAX = 100; // sun_path is 108 bytes on Linux, 104 on macOS

/** The temporary directory as os.tmpdir() finds it, but from `env`. */
const tmpDir = (env: NodeJS.ProcessEnv): string => path.resolve(env.TMPDIR || env.TMP || env.TEMP || os.tmpdir());

/** One daemon per config: everything is keyed by the config file's real path. */
export function daemonPaths(configFile: string, env: NodeJS.ProcessEnv = process.env): DaemonPaths {
  const id = createHash('sha256').update(configFile).digest('hex').slice(0, 12);
  const label = path.basename(path.dirname(configFile)).replace(/[^A-Za-z0-9._-]/g, '_').slice(0, 32) || 'stack';
  const stateRoot = env.XDG_STATE_HOME ? path.join(env.XDG_STATE_HOME, 'llama-top') : path.join(os.homedir(), '.local', 'state', 'llama-top');
  const stateDir = path.join(stateRoot, `${label}-${id}`);
  let socketDir = env.XDG_RUNTIME_DIR ? path.join(env.XDG_RUNTIME_DIR, 'llama-top') : path.join(stateDir, 'run');
  if (path.join(socketDir, `${id}.sock`).length > SOCKET_PATH_MAX) socketDir = path.join(tmpDir(env), `llama-top-${process.getuid?.() ?? 'user'}`);
  return {
    stateDir,
    stateFile: path.join(stateDir, 'state.json'),
    lockFile: path.join(stateDir, 'daemon.lock'),
    daemonLog: path.join(stateDir, 'daemon.log'),
    logsDir: path.join(stateDir, 'logs'),
    socketDir,
    socket: path.join(socketDir, `${id}.sock`),
  };
}

/** The directory checks live in private-dir.ts; re-exported where callers have always found them. */
export { ensurePrivateDir } from './private-dir.js';

/** What each directory of `paths` holds, for errors that say which one is wrong. */
export const DIR_ROLES = (paths: DaemonPaths): Array<{ dir: string; what: string }> => [
  { dir: paths.stateDir, what: 'the state directory' },
  { dir: paths.socketDir, what: 'the socket directory' },
];
