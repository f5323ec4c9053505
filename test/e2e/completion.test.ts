import fs from 'node:fs';
import path from 'node:path';
import { execa } from 'execa';
import { afterEach, describe, expect, it } from 'vitest';
import { cleanupAll, CLI, makeStack, NODE } from '../helpers/stack.js';

afterEach(cleanupAll);

const stackYaml = () => `
services:
  llama: { kind: process, command: [${JSON.stringify(NODE)}, -e, "0"] }
  chat: { kind: process, command: [${JSON.stringify(NODE)}, -e, "0"] }
`;

/** Runs bash's completion of `line` (the cursor at its end) with the script llama-top prints, in `cwd`. */
async function complete(line: string, cwd: string, bin: string): Promise<string[]> {
  const script = (await execa(NODE, [CLI, 'completion', 'bash'])).stdout;
  const words = line.split(' ');
  const program = `${script}
COMP_WORDS=(${words.map((w) => `'${w}'`).join(' ')}); COMP_CWORD=${words.length - 1}
_llama_top; printf '%s\\n' "\${COMPREPLY[@]}"`;
  const run = await execa('bash', ['--norc', '-c', program], { cwd, env: { PATH: `${bin}:${process.env.PATH}`, LLAMA_TOP_CONFIG: '' } });
  return run.stdout.split('\n').filter(Boolean).sort();
}

describe('shell completion', () => {
  it('bash completes commands, actions, flags of the command, and the service names of the config in reach', async () => {
    const stack = await makeStack(stackYaml, 0);
    const bin = path.join(stack.dir, 'bin');
    fs.mkdirSync(bin);
    fs.writeFileSync(path.join(bin, 'llama-top'), `#!/bin/sh\nexec ${JSON.stringify(NODE)} ${JSON.stringify(CLI)} "$@"\n`, { mode: 0o755 });
    expect(await complete('llama-top st', stack.dir, bin)).toEqual(['start', 'status', 'stop']);
    expect(await complete('llama-top daemon ', stack.dir, bin)).toEqual(['status', 'stop']);
    expect(await complete('llama-top logs ', stack.dir, bin)).toEqual(['chat', 'llama']);
    expect(await complete('llama-top restart l', stack.dir, bin)).toEqual(['llama']);
    expect(await complete('llama-top logs --f', stack.dir, bin)).toEqual(['--follow']);
    expect(await complete('llama-top start --', stack.dir, bin)).toEqual(['--config', '--force', '--help', '--json', '--no-wait', '--remote', '--remote-bin']);
    expect(await complete('llama-top demo ', stack.dir, bin)).toContain('status');
    // elsewhere, --config names the stack
    expect(await complete(`llama-top --config ${stack.configFile} stop `, '/', bin)).toEqual(['chat', 'llama']);
  });

  it('zsh and fish scripts are printed (and parse, where the shell is installed)', async () => {
    const zsh = (await execa(NODE, [CLI, 'completion', 'zsh'])).stdout;
    expect(zsh).toMatch(/^#compdef llama-top/);
    expect(zsh).toContain('bashcompinit');
    const fish = (await execa(NODE, [CLI, 'completion', 'fish'])).stdout;
    expect(fish).toContain('complete -c llama-top -n "__fish_seen_subcommand_from logs" -l follow -s f');
    expect(fish).toContain('(llama-top completion services 2>/dev/null)');
    for (const [shell, text, args] of [['zsh', zsh, ['-n']], ['fish', fish, ['--no-execute']]] as const) {
      const found = await execa('sh', ['-c', `command -v ${shell}`], { reject: false });
      if (found.exitCode !== 0) continue; // not installed here: its syntax check is skipped
      const file = path.join((await makeStack(stackYaml, 0)).dir, `completion.${shell}`);
      fs.writeFileSync(file, text);
      expect((await execa(shell, [...args, file], { reject: false })).exitCode).toBe(0);
    }
  });

  it('fish completes service names and flags (where fish is installed)', async (ctx) => {
    if ((await execa('sh', ['-c', 'command -v fish'], { reject: false })).exitCode !== 0) return ctx.skip('fish is not installed');
    const stack = await makeStack(stackYaml, 0);
    const bin = path.join(stack.dir, 'bin');
    fs.mkdirSync(bin);
    fs.writeFileSync(path.join(bin, 'llama-top'), `#!/bin/sh\nexec ${JSON.stringify(NODE)} ${JSON.stringify(CLI)} "$@"\n`, { mode: 0o755 });
    const script = path.join(stack.dir, 'llama-top.fish');
    fs.writeFileSync(script, (await execa(NODE, [CLI, 'completion', 'fish'])).stdout);
    const complete = async (line: string) =>
      (await execa('fish', ['--no-config', '-c', `source ${script}; complete -C ${JSON.stringify(line)}`], { cwd: stack.dir, env: { PATH: `${bin}:${process.env.PATH}`, LLAMA_TOP_CONFIG: '' } })).stdout
        .split('\n')
        .map((l) => l.split('\t')[0])
        .sort();
    expect(await complete('llama-top logs ')).toEqual(['chat', 'llama']);
    expect(await complete('llama-top logs --fo')).toEqual(['--follow']);
    expect(await complete('llama-top st')).toEqual(['start', 'status', 'stop']);
  });
});
