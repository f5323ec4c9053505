import { describe, expect, it } from 'vitest';
import { COMMANDS, commandSpec } from '../../src/cli/command-table.js';
import { commandHelp, globalHelp } from '../../src/cli/help.js';
import { parseCommandLine, writtenFlags } from '../../src/cli/parse.js';

const error = (argv: string[]) => {
  const parsed = parseCommandLine(argv);
  if (parsed.kind !== 'error') throw new Error(`expected an error for ${argv.join(' ')}, got ${parsed.kind}`);
  return parsed.message;
};
const run = (argv: string[]) => {
  const parsed = parseCommandLine(argv);
  if (parsed.kind !== 'run') throw new Error(`expected a command for ${argv.join(' ')}, got ${JSON.stringify(parsed)}`);
  return parsed;
};
const width = (text: string) => Math.max(...text.split('\n').map((l) => [...l].length));

describe('the command line (meow, and one table of commands and flags)', () => {
  it('parses commands, services and flags, short and long', () => {
    expect(run(['logs', 'llama', 'chat', '-n', '5', '-ft', '--since', '10m'])).toMatchObject({
      command: 'logs',
      args: ['llama', 'chat'],
      flags: { lines: 5, follow: true, timestamps: true, since: 600_000, json: false },
    });
    expect(run(['logs', '-n5']).flags.lines).toBe(5);
    expect(run(['start', '--no-wait', '--force', '--config', 'x.yaml'])).toMatchObject({ command: 'start', flags: { wait: false, force: true, config: 'x.yaml' } });
    expect(run([])).toMatchObject({ command: 'tui', args: [] });
    expect(run(['--headless'])).toMatchObject({ command: 'tui', flags: { headless: true } });
    expect(run(['--headless', 'start'])).toMatchObject({ command: 'start' });
    expect(run(['demo', 'logs', '-f'])).toMatchObject({ command: 'demo', args: ['logs'], flags: { follow: true } });
    expect(run(['logs', '--', '-weird-name']).args).toEqual(['-weird-name']);
  });

  it('every argument error is one line (exit 2 in the CLI), naming what to do', () => {
    const cases: Array<[string[], string]> = [
      [['logs', '-n', '-5'], '--lines takes a whole number of lines, not "-5"'],
      [['logs', '-n', 'ten'], '--lines takes a whole number of lines, not "ten"'],
      [['logs', '--since', 'soon'], '--since takes a duration like 30s, 10m or 2h, not "soon"'],
      [['--bogus'], 'unknown option --bogus (see llama-top --help)'],
      [['logs', '-x'], 'unknown option -x (see llama-top logs --help)'],
      [['status', '--follow'], '--follow is not an option of status (see llama-top status --help)'],
      [['stop', '-f'], '-f is not an option of stop (see llama-top stop --help)'],
      [['frobnicate'], 'unknown command "frobnicate"'],
      [['daemon', 'restart'], 'unknown daemon action "restart": use llama-top daemon status|stop (see llama-top daemon --help)'],
      [['service'], 'usage: llama-top service install (see llama-top service --help)'],
      [['completion', 'powershell'], 'unknown completion action "powershell"'],
      [['doctor', 'now'], 'doctor takes no arguments, not "now"'],
      [['logs', '--lines', '3', '--lines', '4'], 'The flag --lines can only be set once.'],
      [['help', 'nosuch'], 'unknown command "nosuch"'],
    ];
    for (const [argv, message] of cases) {
      const got = error(argv);
      expect(got, argv.join(' ')).toContain(message);
      expect(got, argv.join(' ')).not.toContain('\n');
    }
  });

  it('help and version are flags and commands; every command has its own help', () => {
    expect(parseCommandLine(['--help'])).toEqual({ kind: 'help', command: null });
    expect(parseCommandLine(['help'])).toEqual({ kind: 'help', command: null });
    expect(parseCommandLine(['logs', '--help'])).toEqual({ kind: 'help', command: commandSpec('logs') });
    expect(parseCommandLine(['help', 'logs'])).toEqual({ kind: 'help', command: commandSpec('logs') });
    expect(parseCommandLine(['logs', '-h'])).toEqual({ kind: 'help', command: commandSpec('logs') });
    expect(parseCommandLine(['version'])).toEqual({ kind: 'version' });
    expect(parseCommandLine(['-v'])).toEqual({ kind: 'version' });
    const logs = commandHelp(commandSpec('logs')!);
    expect(logs).toMatch(/^Usage: llama-top logs \[svc…\|serve\]/);
    for (const flag of ['-n, --lines N', '-f, --follow', '-t, --timestamps', '--since DURATION', '--json', '--config FILE']) expect(logs).toContain(flag);
    expect(logs).not.toContain('--all');
    // --force says what it does for each command that takes it
    expect(commandHelp(commandSpec('init')!)).toContain('overwrite an existing llama-top.yaml');
    expect(commandHelp(commandSpec('backend')!)).toContain('switch even to a backend whose health check fails');
    for (const c of COMMANDS.filter((c) => !c.hidden)) expect(globalHelp()).toContain(`  ${c.name}`);
  });

  it('the global help fits 80 columns', () => {
    expect(width(globalHelp())).toBeLessThanOrEqual(80);
  });

  it('knows which flags were written, and where the value of a string flag is', () => {
    expect([...writtenFlags(['logs', '-n', '-5', '--no-wait', '-ft']).known.keys()]).toEqual(['lines', 'wait', 'follow', 'timestamps']);
    expect(writtenFlags(['--config', '--json']).known.has('json')).toBe(false); // the value of --config
    expect(writtenFlags(['start', '--', '--json']).known.size).toBe(0);
    expect(writtenFlags(['-q', '--nope']).unknown).toEqual(['-q', '--nope']);
  });
});
