import meow from 'meow';
import { parseDuration } from '../config/durations.js';
import type { Flags } from '../commands/context.js';
import { VERSION } from '../version.js';
import { COMMANDS, commandSpec, FLAGS, GLOBAL_FLAGS, type CommandSpec, type FlagName } from './command-table.js';

export interface ParsedFlags extends Flags {
  headless: boolean;
}

export type ParsedCommandLine =
  | { kind: 'run'; command: string; args: string[]; flags: ParsedFlags }
  | { kind: 'help'; command: CommandSpec | null }
  | { kind: 'version' }
  | { kind: 'error'; message: string };

const SHORT = new Map(Object.entries(FLAGS).flatMap(([name, f]) => (f.shortFlag ? [[f.shortFlag, name as FlagName]] : [])));

/** The flags the user wrote (before any `--`), by name. Pure. */
export function writtenFlags(argv: string[]): { known: Map<FlagName, string>; unknown: string[] } {
  const known = new Map<FlagName, string>();
  const unknown: string[] = [];
  let expectValue = false;
  for (const token of argv) {
    if (token === '--') break;
    if (expectValue) {
      expectValue = false;
      continue;
    }
    if (token.startsWith('--')) {
      const name = token.slice(2).split('=')[0]!;
      const key = camelCase(name);
      const flag = (key in FLAGS ? key : name.startsWith('no-') && camelCase(name.slice(3)) in FLAGS ? camelCase(name.slice(3)) : null) as FlagName | null;
      if (!flag) unknown.push(`--${name}`);
      else {
        known.set(flag, `--${name}`);
        expectValue = FLAGS[flag].type === 'string' && !token.includes('=');
      }
    } else if (token.startsWith('-') && token.length > 1 && !/^-\d/.test(token)) {
      for (let i = 1; i < token.length; i++) {
        const flag = SHORT.get(token[i]!);
        if (!flag) {
          unknown.push(`-${token[i]}`);
          break;
        }
        known.set(flag, `-${token[i]}`);
        if (FLAGS[flag].type === 'string') {
          expectValue = i === token.length - 1;
          break; // the rest of the token is the value: -n5
        }
      }
    }
  }
  return { known, unknown };
}

/** `remote-bin` → `remoteBin`, as meow names flags. */
const camelCase = (name: string) => name.replace(/-([a-z])/g, (_, c: string) => c.toUpperCase());

const seeHelp = (command?: string) => `see llama-top ${command ? `${command} ` : ''}--help`;

/** argv → what to run, or a one-line usage error (exit 2). Uses meow for the parsing proper. */
export function parseCommandLine(argv: string[]): ParsedCommandLine {
  let cli: ReturnType<typeof meow>;
  try {
    cli = meow({
      importMeta: import.meta,
      argv,
      pkg: { name: 'llama-top', version: VERSION },
      description: false,
      autoHelp: false,
      autoVersion: false,
      allowUnknownFlags: true,
      flags: Object.fromEntries(Object.entries(FLAGS).map(([name, f]) => [name, { type: f.type, ...(f.multiple ? { isMultiple: true } : {}), ...(f.shortFlag ? { shortFlag: f.shortFlag } : {}), ...(f.default === undefined ? {} : { default: f.default }) }])) as never,
    });
  } catch (error) {
    return { kind: 'error', message: `${(error as Error).message.split('\n')[0]} (${seeHelp()})` };
  }
  const f = cli.flags as Record<string, unknown>;
  const [first, ...rest] = cli.input;
  const written = writtenFlags(argv);
  if (written.unknown.length) return { kind: 'error', message: `unknown option ${written.unknown[0]} (${seeHelp(commandSpec(first ?? '') ? first : undefined)})` };
  if (first === 'help') {
    if (rest[0] === undefined) return { kind: 'help', command: null };
    const spec = commandSpec(rest[0]);
    return spec ? { kind: 'help', command: spec } : { kind: 'error', message: `unknown command "${rest[0]}" (${commandList()})` };
  }
  if (first === 'version' || (f.version && first === undefined)) return { kind: 'version' };
  const command = first ?? 'tui';
  const spec = commandSpec(command);
  if (!spec) return { kind: 'error', message: `unknown command "${command}" (${commandList()}; ${seeHelp()})` };
  if (f.help) return { kind: 'help', command: first === undefined ? null : spec };

  // The flags this command takes (demo also takes those of the command it runs on the demo stack).
  const inner = command === 'demo' && rest[0] ? commandSpec(rest[0]) : undefined;
  const tuiFlags: FlagName[] = command !== 'tui' ? [] : f.headless ? ['headless', 'version'] : ['headless'];
  const allowed = new Set<FlagName>([...GLOBAL_FLAGS, ...spec.flags, ...(inner?.flags ?? []), ...tuiFlags]);
  for (const [name, token] of written.known) {
    if (name === 'headless' && command !== 'demo') continue; // --headless CMD: the same as CMD
    if (!allowed.has(name)) return { kind: 'error', message: `${token} is not an option of ${command} (${seeHelp(command)})` };
  }
  const operandError = checkOperands(spec, rest);
  if (operandError) return { kind: 'error', message: operandError };

  const lines = Number(f.lines);
  if (!/^\d+$/.test(String(f.lines)) || !Number.isSafeInteger(lines)) return { kind: 'error', message: `--lines takes a whole number of lines, not "${String(f.lines)}"` };
  const since = f.since === undefined ? null : parseDuration(String(f.since));
  if (f.since !== undefined && since === null) return { kind: 'error', message: `--since takes a duration like 30s, 10m or 2h, not "${String(f.since)}"` };
  if (typeof f.config === 'string' && f.config === '') return { kind: 'error', message: '--config needs a file name' };
  const remote = ((f.remote as string[] | undefined) ?? []).map(String);
  if (remote.some((host) => host === '' || host.startsWith('-'))) return { kind: 'error', message: '--remote needs a host (user@box, or a Host of ~/.ssh/config)' };
  if (remote.length > 1 && command !== 'tui') return { kind: 'error', message: `${command} takes one --remote; the TUI takes several (${seeHelp(command)})` };
  if (typeof f.remoteBin === 'string' && remote.length === 0 && command !== 'hosts') return { kind: 'error', message: '--remote-bin goes with --remote HOST (or hosts)' };
  return {
    kind: 'run',
    command,
    args: rest.map(String),
    flags: {
      config: typeof f.config === 'string' ? f.config : undefined,
      json: f.json === true,
      wait: f.wait !== false,
      follow: f.follow === true,
      lines,
      all: f.all === true,
      force: f.force === true,
      now: f.now === true,
      timestamps: f.timestamps === true,
      // -n caps what --since selects; --since alone prints every line since then.
      ...(since !== null && !written.known.has('lines') ? { lines: Number.MAX_SAFE_INTEGER } : {}),
      since,
      probes: f.probes !== false,
      headless: f.headless === true,
      remote,
      remoteBin: typeof f.remoteBin === 'string' && f.remoteBin.trim() ? f.remoteBin : null,
      start: f.start !== false,
    },
  };
}

function commandList(): string {
  return `commands: ${COMMANDS.filter((c) => !c.hidden).map((c) => c.name).join(', ')}`;
}

/** Actions are known without the config; service names are checked against it later. Pure. */
function checkOperands(spec: CommandSpec, operands: string[]): string | null {
  const ops = spec.operands;
  if (ops.kind === 'none' && operands.length > 0) return `${spec.name} takes no arguments, not "${operands[0]}" (${seeHelp(spec.name)})`;
  if (ops.kind !== 'actions' || spec.name === 'help') return null;
  const [action] = operands;
  if (action === undefined) {
    if (spec.name === 'service' || spec.name === 'completion' || spec.name === 'notify') return `usage: llama-top ${spec.name} ${spec.args} (${seeHelp(spec.name)})`;
    return null;
  }
  if (!ops.actions.includes(action)) return `unknown ${spec.name} action "${action}": use llama-top ${spec.name} ${spec.args} (${seeHelp(spec.name)})`;
  if (!ops.then && operands.length > 1) return `${spec.name} ${action} takes no further arguments, not "${operands[1]}"`;
  return null;
}
