import fs from 'node:fs';
import path from 'node:path';
import { DaemonClient } from '../client/daemon-client.js';
import type { StackConfig } from '../config/types.js';
import { daemonPaths, type DaemonPaths } from '../daemon/paths.js';
import { findConfigFile } from '../config/find.js';
import { readHolder } from '../daemon/lock-holder.js';
import { commandPrefix, currentInvocation } from '../cli/invocation.js';
import { LlamaTopError } from '../protocol/errors.js';

export interface Flags {
  config?: string;
  json: boolean;
  wait: boolean;
  follow: boolean;
  lines: number;
  all: boolean;
  force: boolean;
  /** logs: put the time each line was written in front of it. */
  timestamps: boolean;
  /** logs: only lines written in the last this many ms. */
  since: number | null;
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
  /** A command line the user can paste from where they stand: `ctx.hint('status')` → "npm run demo -- status". */
  hint(args: string): string;
}

/**
 * A running daemon keeps the config it started with: say so when the file has changed since. Commands that have not
 * parsed the config (`status`) parse it only when the file is newer than the daemon's copy, and still answer when
 * the edit is half done.
 */
async function warnIfConfigChanged(configFile: string, paths: DaemonPaths, config: () => Promise<StackConfig>, parsed: boolean): Promise<void> {
  const resolved = path.join(paths.stateDir, 'config.resolved.json');
  let started: string;
  try {
    if (!parsed && fs.statSync(configFile).mtimeMs <= fs.statSync(resolved).mtimeMs) return;
    started = fs.readFileSync(resolved, 'utf8');
  } catch {
    return;
  }
  const apply = 'to apply it: llama-top reload';
  try {
    if (started !== JSON.stringify(await config())) process.stderr.write(`llama-top: ${configFile} changed since the daemon started; ${apply}\n`);
  } catch (error) {
    process.stderr.write(`llama-top: ${configFile} changed since the daemon started, and has an error now (the daemon keeps the old one): ${(error as Error).message}\n`);
  }
}

/** The service names given on the command line, each checked against the config (exit 2 naming the valid ones). */
export function namedServices(args: string[], config: StackConfig): string[] {
  const known = config.services.map((s) => s.name);
  for (const name of args)
    if (!known.includes(name)) throw new LlamaTopError('UNKNOWN_SERVICE', `unknown service "${name}" in ${config.file} (services: ${known.join(', ')})`);
  return args;
}

export function createContext(flags: Flags, args: string[], demo = false): CommandContext {
  const configFile = fs.realpathSync(findConfigFile(flags.config));
  const paths = daemonPaths(configFile);
  let loaded: Promise<StackConfig> | null = null;
  const connect = () => DaemonClient.connect(paths.socket, 2000, { daemonPid: readHolder(paths.lockFile)?.pid ?? null, daemonLog: paths.daemonLog });
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
      const running = await connect().catch(() => null);
      if (running) {
        await warnIfConfigChanged(configFile, paths, config, loaded !== null);
        return running;
      }
      // Loaded only when there is no daemon: `status` against a running one pays nothing for spawning.
      const { ensureDaemon } = await import('../client/ensure-daemon.js');
      return ensureDaemon(await config(), paths);
    },
    existingDaemon: () => connect().catch(() => null),
    hint: (rest) => `${commandPrefix(currentInvocation(demo, demo ? undefined : flags.config))} ${rest}`,
  };
}
