import { describe, expect, it } from 'vitest';
import { commandPrefix, type Invocation } from '../../src/cli/invocation.js';

const base: Invocation = { argv1: '/home/me/llama-top/bin/llama-top.js', onPath: null, cwd: '/home/me/llama-top', demo: false };

describe('hints name a command that works from where the user stands', () => {
  it('after `npm run demo`, the npm script', () => {
    expect(commandPrefix({ ...base, demo: true, npmScript: 'demo', npmScriptCommand: 'node bin/llama-top.js demo' })).toBe('npm run demo --');
  });
  it('the bin on PATH when it is this one, else node and the path to it', () => {
    expect(commandPrefix({ ...base, onPath: base.argv1 })).toBe('llama-top');
    expect(commandPrefix({ ...base, onPath: '/usr/lib/node_modules/llama-top/bin/llama-top.js' })).toBe('node bin/llama-top.js');
    expect(commandPrefix({ ...base, cwd: '/tmp' })).toBe('node /home/me/llama-top/bin/llama-top.js');
  });
  it('the demo subcommand for the demo, --config when the user gave one', () => {
    expect(commandPrefix({ ...base, onPath: base.argv1, demo: true })).toBe('llama-top demo');
    expect(commandPrefix({ ...base, onPath: base.argv1, config: 'stacks/gpu.yaml' })).toBe('llama-top --config stacks/gpu.yaml');
  });
  it('an npm script that does not run llama-top is not a way to run it', () => {
    expect(commandPrefix({ ...base, npmScript: 'test', npmScriptCommand: 'vitest run' })).toBe('node bin/llama-top.js');
  });
});
