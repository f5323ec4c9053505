import { parseCommandLine } from './cli/parse.js';
import { createContext, remoteTargets, type CommandContext, type Flags } from './commands/context.js';
import { errorMessage, isLlamaTopError } from './protocol/errors.js';
import { VERSION } from './version.js';

/** Runs one command line; returns the exit code. Parsing (meow) and every usage error: cli/parse.ts. */
export async function main(argv: string[]): Promise<number> {
  const parsed = parseCommandLine(argv);
  if (parsed.kind === 'error') {
    process.stderr.write(`llama-top: ${parsed.message}\n`);
    return 2;
  }
  if (parsed.kind === 'version') return print(VERSION);
  if (parsed.kind === 'help') {
    const { commandHelp, globalHelp } = await import('./cli/help.js');
    return print(parsed.command ? commandHelp(parsed.command) : globalHelp());
  }
  const { command, args, flags } = parsed;
  if (command === 'demo') {
    const { writeDemoConfig } = await import('./commands/demo.js');
    flags.config = await writeDemoConfig();
    if (args.length > 0) return run(flags, args[0]!, args.slice(1), true);
    if (!process.stdout.isTTY || flags.headless) {
      const code = await run(flags, 'start', [], true);
      const { commandPrefix, currentInvocation } = await import('./cli/invocation.js');
      const demo = commandPrefix(currentInvocation(true));
      if (code === 0 && !flags.json) process.stdout.write(`the demo stack runs: ${demo} status · ${demo} logs -f · ${demo} stop\n`);
      return code;
    }
    return run(flags, 'tui', [], true);
  }
  if (command === 'init') {
    try {
      const { initCommand } = await import('./commands/init.js');
      return await initCommand({ dir: process.cwd(), force: flags.force, json: flags.json, out: (t) => process.stdout.write(`${t}\n`) });
    } catch (error) {
      return fail(error);
    }
  }
  if (command === 'completion') {
    if (args[0] === 'services' || args[0] === 'backends') return completionWords(flags, args[0]);
    const { completionScript } = await import('./cli/completion.js');
    return print(completionScript(args[0] as 'bash' | 'zsh' | 'fish'));
  }
  if (command === 'hosts') return hostsCommand(flags, args[0] ?? 'tui');
  if (command === 'tui' && flags.headless) {
    try {
      const { findConfigFile } = await import('./config/load.js');
      const { runDaemon } = await import('./daemon/main.js');
      return await runDaemon(findConfigFile(flags.config), true);
    } catch (error) {
      return fail(error);
    }
  }
  return run(flags, command, args);
}

/**
 * Loads the TUI with React's production build (the development one costs the TUI several times the CPU) and with
 * CI / CONTINUOUS_INTEGRATION hidden, which Ink reads once on load. The variables are put back right after, so
 * the daemon and the services this process may start never inherit them.
 */
async function importInteractiveInk<T>(load: () => Promise<T>): Promise<T> {
  const keys = ['CI', 'CONTINUOUS_INTEGRATION', 'NODE_ENV'] as const;
  const saved = Object.fromEntries(keys.map((k) => [k, process.env[k]]));
  delete process.env.CI;
  delete process.env.CONTINUOUS_INTEGRATION;
  process.env.NODE_ENV = 'production';
  try {
    return await load();
  } finally {
    for (const key of keys) {
      if (saved[key] === undefined) delete process.env[key];
      else process.env[key] = saved[key];
    }
  }
}

/** `hosts`: the TUI on every box of the hosts file; `hosts list`: the boxes. */
async function hostsCommand(flags: Flags, action: string): Promise<number> {
  try {
    const { hostsFilePath, readHostsFile } = await import('./config/hosts-file.js');
    const targets = readHostsFile(hostsFilePath(), flags.remoteBin ?? undefined);
    if (action === 'list') {
      if (flags.json) return print(JSON.stringify({ file: hostsFilePath(), hosts: targets }));
      return print(targets.map((t) => `${t.host}  ${t.config ?? '(its default config)'}  ${t.bin}`).join('\n'));
    }
    if (!hasTerminal()) return 2;
    const { createRemoteContext } = await import('./commands/context.js');
    const { runHostsTui } = await importInteractiveInk(() => import('./tui/run.js'));
    return await runHostsTui(createRemoteContext(flags, [], targets[0]!), targets);
  } catch (error) {
    return fail(error);
  }
}

/** `completion services|backends`: the names the completion scripts offer, from the config in reach; quiet on error. */
async function completionWords(flags: Flags, what: 'services' | 'backends'): Promise<number> {
  try {
    const config = await createContext(flags, []).config();
    if (what === 'services') return print(config.services.map((s) => s.name).join('\n'));
    const { backendOf } = await import('./backend/backends.js');
    return print(Object.keys(backendOf(config).choices).join('\n'));
  } catch {
    return 1;
  }
}

function print(text: string): number {
  process.stdout.write(`${text.trim()}\n`);
  return 0;
}

function fail(error: unknown): number {
  process.stderr.write(`llama-top: ${errorMessage(error)}\n`);
  if (isLlamaTopError(error) && error.hint) process.stderr.write(`  hint: ${error.hint}\n`);
  return isLlamaTopError(error) ? error.exitCode : 1;
}

type Runner = (ctx: CommandContext) => Promise<number>;

/** Each command's module is loaded only when it runs: `status` pays for nothing else (no Ink, no React). */
const RUNNERS: Record<string, () => Promise<Runner>> = {
  start: async () => ((m) => (ctx) => m.startCommand(ctx, 'start'))(await import('./commands/lifecycle.js')),
  restart: async () => ((m) => (ctx) => m.startCommand(ctx, 'restart'))(await import('./commands/lifecycle.js')),
  stop: async () => ((m) => (ctx) => m.stopCommand(ctx, false))(await import('./commands/lifecycle.js')),
  kill: async () => ((m) => (ctx) => m.stopCommand(ctx, true))(await import('./commands/lifecycle.js')),
  reload: async () => (await import('./commands/lifecycle.js')).reloadCommand,
  status: async () => (await import('./commands/status.js')).statusCommand,
  daemon: async () => (await import('./commands/status.js')).daemonCommand,
  logs: async () => (await import('./commands/logs.js')).logsCommand,
  events: async () => (await import('./commands/events.js')).eventsCommand,
  models: async () => (await import('./commands/models.js')).modelsCommand,
  backend: async () => (await import('./commands/backend.js')).backendCommand,
  doctor: async () => (await import('./commands/doctor.js')).doctorCommand,
  service: async () => (await import('./commands/service-install.js')).serviceCommand,
  web: async () => (await import('./commands/web.js')).webCommand,
  'dial-stdio': async () => (await import('./commands/dial-stdio.js')).dialStdioCommand,
  notify: async () => (await import('./commands/notify.js')).notifyCommand,
  mcp: async () => (await import('./commands/mcp.js')).mcpCommand,
  tui: async () => {
    const { runTui, runHostsTui } = await importInteractiveInk(() => import('./tui/run.js'));
    return (ctx) => (ctx.flags.remote.length > 1 ? runHostsTui(ctx, remoteTargets(ctx.flags)) : runTui(ctx));
  },
};

/** The TUI needs a terminal: false (having said what to do instead) without one. */
function hasTerminal(): boolean {
  if (process.stdout.isTTY && process.stdin.isTTY) return true;
  process.stderr.write(
    'llama-top: the interface needs a terminal. Without one use a command: llama-top status, llama-top start, llama-top logs -f (or llama-top --headless to supervise in the foreground).\n',
  );
  return false;
}

async function run(flags: Flags, command: string, args: string[], demo = false): Promise<number> {
  try {
    if (command === 'tui' && !hasTerminal()) return 2;
    const ctx = createContext(flags, args, demo);
    return await (await RUNNERS[command]!())(ctx);
  } catch (error) {
    return fail(error);
  }
}
