import fs from 'node:fs';
import { ensureDaemon } from '../client/ensure-daemon.js';
import { DaemonClient } from '../client/daemon-client.js';
import type { StackConfig } from '../config/types.js';
import { daemonPaths, type DaemonPaths } from '../daemon/paths.js';
import { findConfigFile } from '../config/find.js';

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
  configFile: string;
  paths: DaemonPaths;
  flags: Flags;
  args: string[];
  out: (text: string) => void;
  err: (text: string) => void;
  /** Parses and validates the config (yaml + zod are loaded only then: a running daemon needs neither). */
  config(): Promise<StackConfig>;
  /** Connects, starting the daemon (after validating the config) when absent. */
  daemon(): Promise<DaemonClient>;
  /** Connects only if a daemon runs; null otherwise. */
  existingDaemon(): Promise<DaemonClient | null>;
}

export function createContext(flags: Flags, args: string[]): CommandContext {
  const configFile = fs.realpathSync(findConfigFile(flags.config));
  const paths = daemonPaths(configFile);
  let loaded: Promise<StackConfig> | null = null;
  const config = () =>
    (loaded ??= import('../config/load.js').then(({ loadConfig }) => loadConfig(configFile, (f) => daemonPaths(f).logsDir)));
  return {
    configFile,
    paths,
    flags,
    args,
    out: (text) => process.stdout.write(`${text}\n`),
    err: (text) => process.stderr.write(`${text}\n`),
    config,
    async daemon() {
      const running = await DaemonClient.connect(paths.socket).catch(() => null);
      return running ?? ensureDaemon(await config(), paths);
    },
    existingDaemon: () => DaemonClient.connect(paths.socket).catch(() => null),
  };
}
