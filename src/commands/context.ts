import fs from 'node:fs';
import path from 'node:path';
import { connectLocal, loadStackConfig } from '../client/connect.js';
import type { StackConfig } from '../config/types.js';
import type { ClientApi } from '../protocol/daemon-api.js';
import { daemonPaths, type DaemonPaths } from '../daemon/paths.js';
import { findConfigFile } from '../config/find.js';
import { commandPrefix, currentInvocation } from '../cli/invocation.js';
import { LlamaTopError } from '../protocol/errors.js';
import type { RemoteTarget } from '../client/ssh-link.js';

export interface Flags {
  config?: string;
  json: boolean;
  wait: boolean;
  follow: boolean;
  lines: number;
  all: boolean;
  force: boolean;
  /** stop / restart: skip the drain. */
  now?: boolean;
  /** logs: put the time each line was written in front of it. */
  timestamps: boolean;
  /** logs: only lines written in the last this many ms. */
  since: number | null;
  /** logs: false leaves out llama-top's own requests (--no-probes). */
  probes?: boolean;
  /** Hosts whose stack to reach over ssh (one for commands; the TUI shows several). */
  remote: string[];
  /** The llama-top command to run on the remote hosts; `llama-top` when null. */
  remoteBin: string | null;
  /** dial-stdio: start the daemon when none runs (false: exit 4). */
  start: boolean;
}

/** What every command gets: the config, where its daemon lives, and how to reach it. */
export interface CommandContext {
  /** The config file; for a remote stack `HOST:PATH` (shown only: it is never read here). */
  configFile: string;
  /** Where the daemon keeps its files; null for a stack on another machine. */
  paths: DaemonPaths | null;
  /** The stack's host when reached over ssh (--remote); null for this machine's. */
  remote: RemoteTarget | null;
  flags: Flags;
  args: string[];
  out: (text: string) => void;
  err: (text: string) => void;
  /**
   * Parses and validates the config (yaml + zod are loaded only then: a running daemon needs neither). For a
   * remote stack: the config its daemon runs.
   */
  config(): Promise<StackConfig>;
  /** What `reload` sends: the file parsed afresh here, or null for a remote stack (its daemon reads its file). */
  reloadable(): Promise<StackConfig | null>;
  /** Connects, starting the daemon (after validating the config) when absent. */
  daemon(): Promise<ClientApi>;
  /** Connects only if a daemon runs; null otherwise. */
  existingDaemon(): Promise<ClientApi | null>;
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
export function namedServices(args: string[], config: StackConfig, also = ''): string[] {
  const known = config.services.map((s) => s.name);
  for (const name of args)
    if (!known.includes(name)) throw new LlamaTopError('UNKNOWN_SERVICE', `unknown service "${name}" in ${config.file} (services: ${known.join(', ')}${also})`);
  return args;
}

/** The boxes `--remote` names, each with `--remote-bin` and `--config` (a path there). Pure. */
export function remoteTargets(flags: Flags): RemoteTarget[] {
  return flags.remote.map((host) => ({ host, bin: flags.remoteBin ?? 'llama-top', ...(flags.config ? { config: flags.config } : {}) }));
}

export function createContext(flags: Flags, args: string[], demo = false): CommandContext {
  if (flags.remote.length > 0) return createRemoteContext(flags, args, remoteTargets(flags)[0]!);
  const configFile = fs.realpathSync(findConfigFile(flags.config));
  const paths = daemonPaths(configFile);
  let loaded: Promise<StackConfig> | null = null;
  const connect = () => connectLocal(paths);
  const parse = () => loadStackConfig(configFile);
  const config = () => (loaded ??= parse());
  return {
    configFile,
    paths,
    remote: null,
    flags,
    args,
    out: (text) => process.stdout.write(`${text}\n`),
    err: (text) => process.stderr.write(`${text}\n`),
    config,
    reloadable: parse,
    async daemon() {
      const running = await connect();
      if (running) {
        await warnIfConfigChanged(configFile, paths, config, loaded !== null);
        return running;
      }
      // Loaded only when there is no daemon: `status` against a running one pays nothing for spawning.
      const { ensureDaemon } = await import('../client/ensure-daemon.js');
      return ensureDaemon(await config(), paths);
    },
    existingDaemon: () => connect(),
    hint: (rest) => `${commandPrefix(currentInvocation(demo, demo ? undefined : flags.config))} ${rest}`,
  };
}

/** A stack on another machine: every request goes over `ssh HOST llama-top dial-stdio`; no local file is read. */
export function createRemoteContext(flags: Flags, args: string[], target: RemoteTarget): CommandContext {
  const dial = async (start: boolean) => (await import('../client/ssh-link.js')).dialSsh(target, start);
  let config: Promise<StackConfig> | null = null;
  const prefix = ['llama-top', '--remote', target.host, ...(flags.remoteBin ? ['--remote-bin', JSON.stringify(flags.remoteBin)] : []), ...(target.config ? ['--config', target.config] : [])].join(' ');
  const ask = async <T>(run: (client: ClientApi) => Promise<T>): Promise<T> => {
    const client = (await dial(true))!;
    try {
      return await run(client);
    } finally {
      client.close();
    }
  };
  return {
    configFile: `${target.host}:${target.config ?? '(its default config)'}`,
    paths: null,
    remote: target,
    flags,
    args,
    out: (text) => process.stdout.write(`${text}\n`),
    err: (text) => process.stderr.write(`${text}\n`),
    // known-kinds loads every kind: only when a remote config is asked for, not on every command's start.
    config: () => (config ??= ask(async (client) => (await import('../config/known-kinds.js')).withKnownKinds(await client.stackConfig()))),
    reloadable: async () => null,
    daemon: async () => (await dial(true))!,
    existingDaemon: () => dial(false),
    hint: (rest) => `${prefix} ${rest}`,
  };
}

/** This machine's daemon paths, for commands that work on local files (doctor, service install, dial-stdio). */
export function localPaths(ctx: CommandContext): DaemonPaths {
  if (!ctx.paths) throw new LlamaTopError('USAGE', `this command works on this machine's stack only: run it on ${ctx.remote?.host} (ssh ${ctx.remote?.host} llama-top …)`);
  return ctx.paths;
}
