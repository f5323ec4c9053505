import { ensureDaemon } from '../client/ensure-daemon.js';
import { DaemonClient } from '../client/daemon-client.js';
import { findConfigFile, loadConfig } from '../config/load.js';
import type { StackConfig } from '../config/types.js';
import { daemonPaths, type DaemonPaths } from '../daemon/paths.js';

export interface Flags {
  config?: string;
  json: boolean;
  wait: boolean;
  follow: boolean;
  lines: number;
  all: boolean;
  force: boolean;
}

/** What every command gets: the config, where its daemon lives, and how to reach it. */
export interface CommandContext {
  config: StackConfig;
  paths: DaemonPaths;
  flags: Flags;
  args: string[];
  out: (text: string) => void;
  err: (text: string) => void;
  /** Connects, starting the daemon when absent. */
  daemon(): Promise<DaemonClient>;
  /** Connects only if a daemon runs; null otherwise. */
  existingDaemon(): Promise<DaemonClient | null>;
}

export function createContext(flags: Flags, args: string[]): CommandContext {
  const file = findConfigFile(flags.config);
  const config = loadConfig(file, (f) => daemonPaths(f).logsDir);
  const paths = daemonPaths(config.file);
  return {
    config,
    paths,
    flags,
    args,
    out: (text) => process.stdout.write(`${text}\n`),
    err: (text) => process.stderr.write(`${text}\n`),
    daemon: () => ensureDaemon(config.file, paths),
    existingDaemon: () => DaemonClient.connect(paths.socket).catch(() => null),
  };
}
