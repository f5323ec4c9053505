import { describe, expect, it } from 'vitest';
import { parseConfigText } from '../../src/config/load.js';
import { LlamaTopError } from '../../src/protocol/errors.js';

const load = (yaml: string) => parseConfigText(yaml, '/cfg/llama-top.yaml', () => '/state/logs');

/** The config error `yaml` raises: its code and message (fails the test when it loads). */
function configError(yaml: string): { code: string; message: string } {
  try {
    load(yaml);
  } catch (error) {
    expect(error).toBeInstanceOf(LlamaTopError);
    return { code: (error as LlamaTopError).code, message: (error as Error).message };
  }
  throw new Error('the config loaded');
}

describe('commands that run nothing are config errors with file:line:col', () => {
  it.each([
    ['a blank string', 'command: "   "', 4],
    ['an empty word', 'command: [""]', 4],
    ['a blank first word', 'command: ["  ", x]', 4],
  ])('%s', (_what, line, lineNo) => {
    const { code, message } = configError(`name: s\nservices:\n  w:\n    ${line}\n    kind: process\n`);
    expect(code).toBe('CONFIG');
    expect(message).toBe(`/cfg/llama-top.yaml:${lineNo}:14 services.w.command: is blank: name the program to run, e.g. command: [node, server.js]`);
  });

  it('args alone with a blank command word are refused too; a real command with args loads', () => {
    expect(configError('services:\n  w:\n    kind: app\n    port: 3000\n    command: "  "\n    args: [x]\n').message).toMatch(/^\/cfg\/llama-top\.yaml:5:\d+ services\.w\.command: is blank/);
    expect(load('services:\n  w:\n    kind: process\n    command: node\n    args: [a.js]\n').services[0]!.argv).toEqual(['node', 'a.js']);
  });
});

describe('names and documents that would break later', () => {
  it('a service name too long for a file name is refused by the schema, at its key', () => {
    const name = 'x'.repeat(300);
    const { code, message } = configError(`services:\n  ${name}:\n    kind: process\n    command: node\n`);
    expect(code).toBe('CONFIG');
    expect(message).toBe(`/cfg/llama-top.yaml:2:3 services: "${name}" is not a valid name: service names are at most 100 characters (they name directories and files)`);
    expect(load(`services:\n  ${'y'.repeat(100)}:\n    kind: process\n    command: node\n`).services[0]!.name).toHaveLength(100);
  });

  it('a YAML bomb (aliases of aliases) is a config error naming the file, not an exhausted daemon', () => {
    const rows = ['a: &a ["x","x","x","x","x","x","x","x","x"]'];
    for (const [prev, next] of [['a', 'b'], ['b', 'c'], ['c', 'd'], ['d', 'e'], ['e', 'f']]) rows.push(`${next}: &${next} [${Array(9).fill(`*${prev}`).join(',')}]`);
    const { code, message } = configError(`${rows.join('\n')}\nservices: {}\n`);
    expect(code).toBe('CONFIG');
    expect(message).toMatch(/^\/cfg\/llama-top\.yaml: Excessive alias count indicates a resource exhaustion attack: its aliases \(\*name\) expand too far/);
  });

  it('merge keys sharing settings between services still load', () => {
    const cfg = load(`x-base: &base\n  kind: process\n  command: node\nservices:\n  a: { <<: *base }\n  b: { <<: *base }\n`);
    expect(cfg.services.map((s) => s.name)).toEqual(['a', 'b']);
  });
});
