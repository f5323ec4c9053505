import meow from 'meow';
import { createContext, type CommandContext, type Flags } from './commands/context.js';
import { errorMessage, isLlamaTopError } from './protocol/errors.js';

const HELP = `
  Usage
    $ llama-top                      the terminal UI (starts the daemon and the stack)
    $ llama-top <command> [service…]

  Commands
    start [svc…]       start (all autostart services by default) and wait until ready
    stop [svc…]        stop (SIGTERM, then SIGKILL after stopTimeout); no names: all, and the daemon exits
    restart [svc…]     stop then start, wait until ready
    kill [svc…]        force-stop now (SIGKILL to the whole process tree)
    status             table of services (--json for scripts)
    logs [svc…]        last lines of the logs (-n N), -f to follow
    events             one line per state change (--json: one JSON object a line)
    daemon status|stop daemon of this config (stop --all also stops the services)
    demo               run the built-in demo stack (no model or binary needed)

  Options
    --config FILE      config file (default: ./llama-top.yaml, or $LLAMA_TOP_CONFIG)
    --json             machine-readable output
    --no-wait          start/restart: return at once
    -n, --lines N      logs: how many lines (default 50)
    -f, --follow       logs: keep printing new lines
    --all              daemon stop: stop the services too
    --headless [CMD]   no UI; alone, runs the supervisor in the foreground (systemd, containers)

  Exit codes: 0 ok · 1 operation failed · 2 usage or config error · 3 daemon unreachable
`;

const COMMANDS = ['start', 'stop', 'restart', 'kill', 'status', 'logs', 'events', 'daemon', 'demo', 'tui'];

export async function main(argv: string[]): Promise<number> {
  const cli = meow(HELP, {
    importMeta: import.meta,
    argv,
    autoHelp: true,
    autoVersion: true,
    allowUnknownFlags: false,
    flags: {
      config: { type: 'string' },
      json: { type: 'boolean', default: false },
      wait: { type: 'boolean', default: true },
      follow: { type: 'boolean', shortFlag: 'f', default: false },
      lines: { type: 'number', shortFlag: 'n', default: 50 },
      all: { type: 'boolean', default: false },
      force: { type: 'boolean', default: false },
      headless: { type: 'boolean', default: false },
    },
  });
  const [command, ...args] = cli.input;
  const flags: Flags = { ...cli.flags, lines: Math.max(0, Math.floor(cli.flags.lines)) };
  if (command !== undefined && !COMMANDS.includes(command)) {
    process.stderr.write(`llama-top: unknown command "${command}" (commands: ${COMMANDS.filter((c) => c !== 'tui').join(', ')}; see llama-top --help)\n`);
    return 2;
  }
  if (command === 'demo') {
    const { writeDemoConfig } = await import('./commands/demo.js');
    flags.config = await writeDemoConfig();
    if (!process.stdout.isTTY || cli.flags.headless) return run(flags, 'start', args);
    return run(flags, 'tui', args);
  }
  if (command === undefined && cli.flags.headless) {
    const { findConfigFile } = await import('./config/load.js');
    const { runDaemon } = await import('./daemon/main.js');
    return runDaemon(findConfigFile(flags.config), true);
  }
  return run(flags, command ?? 'tui', args);
}

async function run(flags: Flags, command: string, args: string[]): Promise<number> {
  let ctx: CommandContext;
  try {
    ctx = createContext(flags, args);
    switch (command) {
      case 'start':
      case 'restart': {
        const { startCommand } = await import('./commands/lifecycle.js');
        return await startCommand(ctx, command);
      }
      case 'stop':
      case 'kill': {
        const { stopCommand } = await import('./commands/lifecycle.js');
        return await stopCommand(ctx, command === 'kill');
      }
      case 'status':
        return await (await import('./commands/status.js')).statusCommand(ctx);
      case 'daemon':
        return await (await import('./commands/status.js')).daemonCommand(ctx);
      case 'logs':
        return await (await import('./commands/logs.js')).logsCommand(ctx);
      case 'events':
        return await (await import('./commands/events.js')).eventsCommand(ctx);
      default: {
        if (!process.stdout.isTTY || !process.stdin.isTTY) {
          process.stderr.write(
            'llama-top: the interface needs a terminal. Without one use a command: llama-top status, llama-top start, llama-top logs -f (or llama-top --headless to supervise in the foreground).\n',
          );
          return 2;
        }
        const { runTui } = await import('./tui/run.js');
        return await runTui(ctx);
      }
    }
  } catch (error) {
    const message = errorMessage(error);
    process.stderr.write(`llama-top: ${message}\n`);
    if (isLlamaTopError(error) && error.hint) process.stderr.write(`  hint: ${error.hint}\n`);
    return isLlamaTopError(error) ? error.exitCode : 1;
  }
}
