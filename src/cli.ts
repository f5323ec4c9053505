import { parseArgs } from 'node:util';
import { createContext, type CommandContext, type Flags } from './commands/context.js';
import { errorMessage, isLlamaTopError } from './protocol/errors.js';
import { VERSION } from './version.js';
import { parseDuration } from './config/durations.js';

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
    models [svc…]      models served (GET /v1/models, GGUF header; ollama tags and loaded models)
    backend status|list|health [NAME]|switch NAME
                       which backend the chat app uses; switch it (restart + rollback on failure)
    init [--force]     write a commented llama-top.yaml from what is found here
    doctor             check binaries, models, ports, permissions, logout survival
    service install    a systemd user unit (launchd agent on macOS) for this stack
    demo               run the built-in demo stack (no model or binary needed)

  Options
    --config FILE      config file (default: ./llama-top.yaml, or $LLAMA_TOP_CONFIG)
    --json             machine-readable output
    --no-wait          start/restart: return at once
    -n, --lines N      logs: how many lines (default 50)
    -f, --follow       logs: keep printing new lines
    --all              daemon stop: stop the services too
    --force            backend switch: even to an unhealthy backend; init: overwrite
    --headless [CMD]   no UI; alone, runs the supervisor in the foreground (systemd, containers)

  Exit codes: 0 ok · 1 operation failed · 2 usage or config error · 3 daemon unreachable
`;

const COMMANDS = ['start', 'stop', 'restart', 'kill', 'status', 'logs', 'events', 'daemon', 'models', 'backend', 'init', 'doctor', 'service', 'demo', 'tui'];

const OPTIONS = {
  config: { type: 'string' },
  json: { type: 'boolean', default: false },
  'no-wait': { type: 'boolean', default: false },
  follow: { type: 'boolean', short: 'f', default: false },
  lines: { type: 'string', short: 'n', default: '50' },
  all: { type: 'boolean', default: false },
  force: { type: 'boolean', default: false },
  timestamps: { type: 'boolean', short: 't', default: false },
  since: { type: 'string' },
  headless: { type: 'boolean', default: false },
  help: { type: 'boolean', short: 'h', default: false },
  version: { type: 'boolean', short: 'v', default: false },
} as const;

// node:util parseArgs rather than meow: meow alone costs ~27 ms of start-up, half of a bare `node -e 0`,
// and `status --json` must stay under 2x that.
export async function main(argv: string[]): Promise<number> {
  let parsed: ReturnType<typeof parseArgs<{ options: typeof OPTIONS; allowPositionals: true }>>;
  try {
    parsed = parseArgs({ args: argv, options: OPTIONS, allowPositionals: true, strict: true });
  } catch (error) {
    process.stderr.write(`llama-top: ${errorMessage(error).replace(/\. To specify a positional.*$/, '')} (see llama-top --help)\n`);
    return 2;
  }
  const { values, positionals } = parsed;
  if (values.help) return print(HELP);
  if (values.version) return print(VERSION);
  const lines = Number(values.lines);
  if (!Number.isInteger(lines) || lines < 0) {
    process.stderr.write(`llama-top: --lines takes a whole number, not "${values.lines}"\n`);
    return 2;
  }
  const since = values.since === undefined ? null : parseDuration(values.since);
  if (since === null && values.since !== undefined) {
    process.stderr.write(`llama-top: --since takes a duration like 30s, 10m or 2h, not "${values.since}"\n`);
    return 2;
  }
  const [command, ...args] = positionals;
  const flags: Flags = { config: values.config, json: values.json, wait: !values['no-wait'], follow: values.follow, lines, all: values.all, force: values.force, timestamps: values.timestamps, since };
  if (command !== undefined && !COMMANDS.includes(command)) {
    process.stderr.write(`llama-top: unknown command "${command}" (commands: ${COMMANDS.filter((c) => c !== 'tui').join(', ')}; see llama-top --help)\n`);
    return 2;
  }
  if (command === 'demo') {
    const { writeDemoConfig } = await import('./commands/demo.js');
    flags.config = await writeDemoConfig();
    if (!process.stdout.isTTY || values.headless) return run(flags, 'start', args);
    return run(flags, 'tui', args);
  }
  if (command === 'init') {
    try {
      const { initCommand } = await import('./commands/init.js');
      return await initCommand({ dir: process.cwd(), force: values.force, json: values.json, out: (t) => process.stdout.write(`${t}\n`) });
    } catch (error) {
      return fail(error);
    }
  }
  if (command === undefined && values.headless) {
    try {
      const { findConfigFile } = await import('./config/load.js');
      const { runDaemon } = await import('./daemon/main.js');
      return await runDaemon(findConfigFile(flags.config), true);
    } catch (error) {
      return fail(error);
    }
  }
  return run(flags, command ?? 'tui', args);
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
  status: async () => (await import('./commands/status.js')).statusCommand,
  daemon: async () => (await import('./commands/status.js')).daemonCommand,
  logs: async () => (await import('./commands/logs.js')).logsCommand,
  events: async () => (await import('./commands/events.js')).eventsCommand,
  models: async () => (await import('./commands/models.js')).modelsCommand,
  backend: async () => (await import('./commands/backend.js')).backendCommand,
  doctor: async () => (await import('./commands/doctor.js')).doctorCommand,
  service: async () => (await import('./commands/service-install.js')).serviceCommand,
  tui: async () => (await importInteractiveInk(() => import('./tui/run.js'))).runTui,
};

async function run(flags: Flags, command: string, args: string[]): Promise<number> {
  try {
    if (command === 'tui' && (!process.stdout.isTTY || !process.stdin.isTTY)) {
      process.stderr.write(
        'llama-top: the interface needs a terminal. Without one use a command: llama-top status, llama-top start, llama-top logs -f (or llama-top --headless to supervise in the foreground).\n',
      );
      return 2;
    }
    const ctx = createContext(flags, args);
    return await (await RUNNERS[command]!())(ctx);
  } catch (error) {
    return fail(error);
  }
}
