/**
 * Every command and flag of the CLI, in one place: the parser, the help texts and the shell completions are all
 * drawn from this table. Pure data.
 */

export type FlagName = 'config' | 'remote' | 'remoteBin' | 'start' | 'json' | 'wait' | 'lines' | 'follow' | 'all' | 'force' | 'now' | 'timestamps' | 'since' | 'probes' | 'headless' | 'help' | 'version';

export interface FlagSpec {
  type: 'string' | 'boolean';
  shortFlag?: string;
  default?: string | boolean;
  /** How the flag is written in help, e.g. "--lines N" or "--no-wait". */
  usage: string;
  description: string;
  /** Values the shell may complete after the flag. */
  complete?: 'file' | 'number' | 'duration';
  /** May be given more than once (the values are collected). */
  multiple?: boolean;
}

export const FLAGS: Record<FlagName, FlagSpec> = {
  config: { type: 'string', usage: '--config FILE', description: 'config (default ./llama-top.yaml or $LLAMA_TOP_CONFIG)', complete: 'file' },
  remote: { type: 'string', multiple: true, usage: '--remote HOST', description: 'the stack on HOST over ssh; --config: a path there' },
  remoteBin: { type: 'string', usage: '--remote-bin CMD', description: 'the llama-top to run there (default: llama-top)' },
  start: { type: 'boolean', default: true, usage: '--no-start', description: 'only a running daemon; exit 4 when there is none' },
  json: { type: 'boolean', default: false, usage: '--json', description: 'machine-readable output' },
  wait: { type: 'boolean', default: true, usage: '--no-wait', description: 'return as soon as the request is taken, without waiting until ready' },
  lines: { type: 'string', shortFlag: 'n', default: '50', usage: '-n, --lines N', description: 'how many lines to print per service (default 50)', complete: 'number' },
  follow: { type: 'boolean', shortFlag: 'f', default: false, usage: '-f, --follow', description: 'keep printing new lines, across rotations and restarts' },
  all: { type: 'boolean', default: false, usage: '--all', description: 'stop the services too' },
  force: { type: 'boolean', default: false, usage: '--force', description: '' },
  now: { type: 'boolean', default: false, usage: '--now', description: 'skip the drain: do not wait for the requests in flight (they are cut)' },
  timestamps: { type: 'boolean', shortFlag: 't', default: false, usage: '-t, --timestamps', description: 'put the time each line was written in front of it' },
  since: { type: 'string', usage: '--since DURATION', description: 'only lines written in the last DURATION (30s, 10m, 2h)', complete: 'duration' },
  probes: { type: 'boolean', default: true, usage: '--no-probes', description: "leave out llama-top's own requests (health checks, figures) that the servers log" },
  headless: { type: 'boolean', default: false, usage: '--headless', description: 'no UI; alone: the supervisor in the foreground (systemd)' },
  help: { type: 'boolean', shortFlag: 'h', default: false, usage: '-h, --help', description: 'this help; `llama-top <command> --help` for one command' },
  version: { type: 'boolean', shortFlag: 'v', default: false, usage: '-v, --version', description: 'print the version' },
};

/** The long form a user types, from the usage text: `--no-wait`, `--remote-bin`, `--lines`. Pure. */
export const longFlag = (name: FlagName): string => FLAGS[name].usage.match(/--[\w-]+/)![0];

/** Flags every command takes. */
export const GLOBAL_FLAGS: FlagName[] = ['config', 'help'];
/** Flags of the commands that work on a stack over ssh (those that need the local files, like init or doctor, do not). */
const REMOTE: FlagName[] = ['remote', 'remoteBin'];

export interface CommandSpec {
  name: string;
  /** Arguments as shown in help: "[svc…]", "status|stop". */
  args: string;
  summary: string;
  /** Longer text for `llama-top <command> --help`. */
  details?: string;
  flags: FlagName[];
  /** What `--force` means here (it differs by command). */
  force?: string;
  /** What the positional arguments are, for checks and completion. */
  operands: { kind: 'services' } | { kind: 'actions'; actions: string[]; then?: 'services' | 'backends' | 'commands' | 'events' } | { kind: 'none' };
  /** Left out of the global help's list (the TUI is the default, not a command one types). */
  hidden?: boolean;
}

const SERVICES = { kind: 'services' } as const;
const NONE = { kind: 'none' } as const;

export const COMMANDS: CommandSpec[] = [
  {
    name: 'start',
    args: '[svc…]',
    summary: 'start (autostart services by default), wait until ready',
    details:
      'Starts the named services and what they depend on, dependencies first, and waits until each is ready (its health check passes).\nOn a terminal one line per service shows its state, the time so far and its latest log line; off a terminal, a line per state change.\nExit 0 only when every named service is ready.',
    flags: ['wait', 'force', 'json', ...REMOTE],
    force: 'start even when a process with the same command line already runs and state.json was lost',
    operands: SERVICES,
  },
  {
    name: 'stop',
    args: '[svc…]',
    summary: 'stop (SIGTERM, SIGKILL after stopTimeout); no names: all',
    details: 'Stops the whole process tree of each service: SIGTERM to its process group, SIGKILL to what is left after stopTimeout.\nA ready LLM server (llama-server, ollama, vllm) first drains: it waits for its requests in flight, those through the serve endpoint and those sent straight to it, up to its drainTimeout (default 30s), then stops; --now does not wait.\nWith no daemon running but services it left behind, starts one that re-adopts them, then stops them.',
    flags: ['now', 'json', ...REMOTE],
    operands: SERVICES,
  },
  {
    name: 'restart',
    args: '[svc…]',
    summary: 'stop then start, and wait until ready',
    details: 'A ready LLM server first drains, as stop does: it waits for its requests in flight up to its drainTimeout; --now does not wait.',
    flags: ['wait', 'now', 'force', 'json', ...REMOTE],
    force: 'start even when a process with the same command line already runs and state.json was lost',
    operands: SERVICES,
  },
  {
    name: 'reload',
    args: '',
    summary: 'apply an edited config to the running stack',
    details: 'Reads and checks the config (an error is reported with file:line:col, exit 2, and nothing changes), then the daemon applies it:\nunchanged services keep running with the same pid; a changed one is restarted (or, if stopped, uses its new settings at its next start);\nremoved ones are stopped; added ones start if autostart.',
    flags: ['json', ...REMOTE],
    operands: NONE,
  },
  { name: 'kill', args: '[svc…]', summary: 'force-stop now (SIGKILL to the whole process tree)', flags: ['json', ...REMOTE], operands: SERVICES },
  {
    name: 'status',
    args: '[svc…]',
    summary: 'table of services (--json for scripts)',
    details: 'One row per service: state, pid, CPU, memory, uptime, crash restarts, port, and for LLM servers tok/s and busy slots.\nWarnings (a full disk, lost state, a config changed under the daemon) go to stderr.',
    flags: ['json', ...REMOTE],
    operands: SERVICES,
  },
  {
    name: 'logs',
    args: '[svc…|serve]',
    summary: 'last lines of the logs (-n N), -f to follow',
    details: 'Prints the last lines of each service\'s log, oldest first, from its rotated chunk files (with --since: those written since then, the last N of them with -n).\nlogs serve (with serve: in the config): the serve endpoint\'s log, a line per request (time, model, service, status, tokens, duration, wait for a start) and per swap or idle stop.\n--no-probes leaves out llama-top\'s own requests (llama-server\'s GET /health, /metrics… lines; ollama\'s GET /api/version, /api/ps…), as the TUI\'s panes do.\n--json prints one object per line: {"service","time","line"}.',
    flags: ['lines', 'follow', 'timestamps', 'since', 'probes', 'json', ...REMOTE],
    operands: SERVICES,
  },
  { name: 'events', args: '', summary: 'one line per state change, as it happens', flags: ['json', ...REMOTE], operands: NONE },
  {
    name: 'daemon',
    args: 'status|stop',
    summary: 'the daemon of this config (stop --all: services too)',
    details: 'daemon status: pid, uptime, socket, state directory; never starts a daemon.\ndaemon stop: the daemon exits and the services keep running (the next command starts a daemon that re-adopts them); --all stops them too.',
    flags: ['all', 'json', ...REMOTE],
    operands: { kind: 'actions', actions: ['status', 'stop'] },
  },
  { name: 'models', args: '[svc…]', summary: 'models served (/v1/models, GGUF header, ollama tags)', flags: ['json', ...REMOTE], operands: SERVICES },
  {
    name: 'backend',
    args: 'status|list|health [NAME]|switch NAME',
    summary: "the chat app's backend; switch it (rolls back on failure)",
    details: 'backend status / list: the chat app\'s backends, the active one marked ›, each ✓ healthy, ✗ not (with why) or ? unknown.\nbackend health [NAME]: checks them; exit 1 when one is unhealthy.\nbackend switch NAME: writes the app\'s config, restarts it, waits until it reports NAME, and rolls back on failure.',
    flags: ['force', 'json', ...REMOTE],
    force: 'switch even to a backend whose health check fails',
    operands: { kind: 'actions', actions: ['status', 'list', 'health', 'switch'], then: 'backends' },
  },
  {
    name: 'init',
    args: '',
    summary: 'write a commented llama-top.yaml from what is found here',
    details: 'Looks for llama-server, ollama, GGUF models and a chat app (Chat-O-Llama) in the current directory and on PATH, and writes llama-top.yaml with what it found and comments for what is missing.',
    flags: ['force', 'json'],
    force: 'overwrite an existing llama-top.yaml',
    operands: NONE,
  },
  { name: 'doctor', args: '', summary: 'check binaries, models, ports, permissions, disk', flags: ['json'], operands: NONE },
  {
    name: 'service',
    args: 'install',
    summary: 'a systemd user unit (launchd agent): the stack at boot',
    details: 'service install writes a systemd user unit (Linux) or a launchd agent (macOS) that runs this stack\'s supervisor in the foreground (llama-top --headless), and prints how to enable it.',
    flags: ['force', 'json'],
    force: 'overwrite an existing unit file',
    operands: { kind: 'actions', actions: ['install'] },
  },
  {
    name: 'demo',
    args: '[command …]',
    summary: 'a demo stack, no model needed; demo status|stop|logs…',
    details: 'llama-top demo: starts a demo stack of fake llama-server, ollama and chat app, with light traffic, and opens the UI on it (off a terminal: starts it).\nllama-top demo <command>: runs any command against the demo stack, e.g. llama-top demo status, llama-top demo logs -f, llama-top demo stop.',
    flags: ['wait', 'json', 'headless'],
    operands: { kind: 'actions', actions: ['start', 'stop', 'restart', 'kill', 'status', 'logs', 'events', 'daemon', 'models', 'backend', 'doctor'], then: 'services' },
  },
  {
    name: 'completion',
    args: 'bash|zsh|fish',
    summary: 'a shell completion script (commands, flags, services)',
    details: 'completion services / completion backends print the names the scripts offer, from the config in reach.\n\nbash: source <(llama-top completion bash)   (or save it to ~/.local/share/bash-completion/completions/llama-top)\nzsh:  llama-top completion zsh > "${fpath[1]}/_llama-top"\nfish: llama-top completion fish > ~/.config/fish/completions/llama-top.fish',
    flags: [],
    operands: { kind: 'actions', actions: ['bash', 'zsh', 'fish', 'services', 'backends'] },
  },
  { name: 'help', args: '[command]', summary: 'this help, or one command\'s', flags: [], operands: { kind: 'actions', actions: [], then: 'commands' } },
  { name: 'version', args: '', summary: 'print the version', flags: [], operands: NONE },
  {
    name: 'web',
    args: '',
    summary: 'the status page, HTTP API and /metrics (prints the URL)',
    details: 'The daemon listens on the config\'s http.listen (default 127.0.0.1:7878, loopback only unless http.allowRemote) until it exits.\nPrints the URL to open once: it carries the token, which the browser then keeps as an HttpOnly cookie.\nFrom code: Authorization: Bearer <the token file\'s content>. With http.listen in the config, the daemon listens from its start.',
    flags: ['json', ...REMOTE],
    operands: NONE,
  },
  {
    name: 'hosts',
    args: '[list]',
    summary: 'the UI on every box of the hosts file (over ssh)',
    details: 'The hosts file, $XDG_CONFIG_HOME/llama-top/hosts (~/.config/llama-top/hosts), lists one box per line:\n  HOST [CONFIG [LLAMA-TOP COMMAND…]]   e.g.  gpu-box ~/llm/llama-top.yaml\nHOST is anything ssh accepts; CONFIG is the config path there (- for its default); the rest is the llama-top to run there.\nllama-top hosts opens the UI on all of them, grouped by host (the same as --remote a --remote b); hosts list prints them.',
    flags: ['json', 'remoteBin'],
    operands: { kind: 'actions', actions: ['list'] },
  },
  {
    name: 'dial-stdio',
    args: '',
    summary: 'relay the protocol on stdin/stdout (--remote runs it)',
    details: 'Connects to the daemon of the config (starting it when absent, unless --no-start) and relays its protocol between stdin/stdout and its socket until either side closes.\n--remote HOST runs `ssh HOST llama-top dial-stdio --config PATH` and speaks to the daemon through it, as docker\'s ssh:// transport does.',
    flags: ['start'],
    operands: NONE,
  },
  {
    name: 'notify',
    args: 'test [EVENT]',
    summary: 'send a sample notification to every notify: entry',
    details: 'notify test [EVENT]: the daemon sends a sample EVENT (crash, gave-up, …; without one, each entry\'s first event) to every notify: entry that\nlistens to it, at once (no debounce, one attempt), and prints what each did: the command\'s exit, the webhook\'s HTTP status. Exit 1 when one failed.',
    flags: ['json', ...REMOTE],
    operands: { kind: 'actions', actions: ['test'], then: 'events' },
  },
  {
    name: 'mcp',
    args: '',
    summary: 'an MCP server on stdio, for AI assistants',
    details: 'Speaks MCP on stdin/stdout: tools status, logs, start, stop, restart, models, backend_status, backend_switch, reload, events,\nall asked of the daemon (started when absent), so --remote HOST serves the stack of another machine. Add it to an MCP client:\n  claude mcp add llama-top -- llama-top mcp --config /path/to/llama-top.yaml',
    flags: [...REMOTE],
    operands: NONE,
  },
  { name: 'tui', args: '', summary: 'the terminal UI (the default)', flags: [...REMOTE], operands: NONE, hidden: true },
];

export const commandSpec = (name: string): CommandSpec | undefined => COMMANDS.find((c) => c.name === name);
