import { COMMANDS, FLAGS, GLOBAL_FLAGS, type CommandSpec, type FlagName } from './command-table.js';

const pad = (text: string, width: number) => (text.length >= width ? `${text}  ` : text.padEnd(width));

function flagLine(name: FlagName, spec?: CommandSpec): string {
  const flag = FLAGS[name];
  const description = name === 'force' && spec?.force ? spec.force : flag.description;
  return `    ${pad(flag.usage, 20)}${description}`;
}

/** `llama-top --help`. Pure. */
export function globalHelp(): string {
  const lines = [
    'llama-top keeps a local LLM stack (llama-server, ollama, chat app) up, in view.',
    '',
    'Usage',
    '  $ llama-top                      the terminal UI (starts the stack)',
    '  $ llama-top <command> [args…]    one command (llama-top <command> --help)',
    '',
    'Commands',
  ];
  for (const c of COMMANDS.filter((c) => !c.hidden)) {
    const head = `${c.name}${c.args ? ` ${c.args}` : ''}`;
    lines.push(head.length > 17 ? `  ${head}\n  ${' '.repeat(19)}${c.summary}` : `  ${pad(head, 19)}${c.summary}`);
  }
  lines.push('', 'Options');
  for (const name of [...GLOBAL_FLAGS, 'remote', 'headless', 'version', 'json'] as FlagName[]) lines.push(flagLine(name).slice(2));
  lines.push('  (other options belong to one command: see its --help)');
  lines.push('', 'Exit codes: 0 ok · 1 failed · 2 usage or config error · 3 daemon unreachable');
  return lines.join('\n');
}

/** `llama-top <command> --help`. Pure. */
export function commandHelp(spec: CommandSpec): string {
  const lines = [`Usage: llama-top ${spec.name}${spec.args ? ` ${spec.args}` : ''}`, '', `  ${spec.summary}`];
  if (spec.details) lines.push('', ...spec.details.split('\n').map((l) => `  ${l}`));
  lines.push('', 'Options');
  for (const name of [...spec.flags, ...GLOBAL_FLAGS]) lines.push(flagLine(name, spec));
  return lines.join('\n');
}
