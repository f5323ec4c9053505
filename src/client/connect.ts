import fs from 'node:fs';
import { findConfigFile } from '../config/find.js';
import { readHolder } from '../daemon/lock-holder.js';
import { daemonPaths, type DaemonPaths } from '../daemon/paths.js';
import type { ClientApi } from '../protocol/daemon-api.js';
import { DaemonClient } from './daemon-client.js';

/** Connects to this machine's daemon of `paths` if one runs (rejects UNREACHABLE otherwise). */
export const connectLocal = (paths: DaemonPaths): Promise<DaemonClient> =>
  DaemonClient.connect(paths.socket, 2000, { daemonPid: readHolder(paths.lockFile)?.pid ?? null, daemonLog: paths.daemonLog });

/** Parses and validates the config (yaml + zod are loaded only then: a running daemon needs neither). */
export const loadStackConfig = (configFile: string) => import('../config/load.js').then(({ loadConfig }) => loadConfig(configFile, (f) => daemonPaths(f).logsDir));

export interface StackTarget {
  /** The config file (default: ./llama-top.yaml, or $LLAMA_TOP_CONFIG); with `remote`, a path on that host. */
  config?: string;
  /** A host to reach over ssh (user@box, or a Host of ~/.ssh/config). */
  remote?: string;
  /** The llama-top to run on `remote` (default: llama-top on its PATH). */
  remoteBin?: string;
}

/** Connects to a stack's daemon, here or over ssh, starting it when absent (after validating its config). */
export async function connectStack(target: StackTarget): Promise<ClientApi> {
  if (target.remote) {
    const { dialSsh } = await import('./ssh-link.js');
    return (await dialSsh({ host: target.remote, bin: target.remoteBin ?? 'llama-top', ...(target.config ? { config: target.config } : {}) }, true))!;
  }
  const configFile = fs.realpathSync(findConfigFile(target.config));
  const paths = daemonPaths(configFile);
  const running = await connectLocal(paths).catch(() => null);
  if (running) return running;
  const { ensureDaemon } = await import('./ensure-daemon.js');
  return ensureDaemon(await loadStackConfig(configFile), paths);
}
