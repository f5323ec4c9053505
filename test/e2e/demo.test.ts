import path from 'node:path';
import { execa } from 'execa';
import { afterEach, describe, expect, it } from 'vitest';
import { TmuxScreen } from '../helpers/tmux.js';
import { cleanupAll, CLI, makeStack, NODE, ROOT, waitFor, type Stack } from '../helpers/stack.js';

const screens: TmuxScreen[] = [];
afterEach(async () => {
  for (const s of screens.splice(0)) await s.close();
  await cleanupAll();
});

/** A stack only for its private state and runtime directories: the demo writes its own config there. */
const demoHome = () => makeStack(() => 'services: { unused: { kind: process, command: [x] } }\n', 0);
const demo = (home: Stack, args: string[]) => execa(NODE, [CLI, 'demo', ...args], { env: home.env, cwd: ROOT, reject: false, stdin: 'ignore' });

describe('the demo', () => {
  it('off a terminal: starts, drives light traffic (tok/s, busy slots, request lines), and says how to reach it', async () => {
    const home = await demoHome();
    const run = await demo(home, []);
    expect(run.exitCode).toBe(0);
    expect(run.stdout).toMatch(/✓ traffic ready/);
    expect(run.stdout).toContain('the demo stack runs: node bin/llama-top.js demo status · node bin/llama-top.js demo logs -f · node bin/llama-top.js demo stop');
    let llama: Record<string, any> = {};
    let sawBusy = false;
    await waitFor(async () => {
      llama = JSON.parse((await demo(home, ['status', '--json'])).stdout).services.find((s: { name: string }) => s.name === 'llama');
      sawBusy ||= (llama.llm?.slotsBusy ?? 0) > 0;
      return (llama.llm?.generationTokensPerSecond ?? 0) > 0 && sawBusy;
    }, 'tok/s and a busy slot on llama', 30_000);
    expect(llama.llm.slotsTotal).toBe(2);
    const traffic = (await demo(home, ['logs', 'traffic'])).stdout;
    expect(traffic).toMatch(/llama {2}← ".+" 200 \d+ tokens in \d+\.\ds/);
    const llamaLog = (await demo(home, ['logs', 'llama'])).stdout;
    expect(llamaLog).toMatch(/eval time = .* tokens per second\)/);
    expect((await demo(home, ['stop'])).exitCode).toBe(0);
    expect(JSON.parse((await demo(home, ['daemon', 'status', '--json'])).stdout).running).toBe(false);
  });

  it('in the TUI: shows tok/s at once, and after q prints a hint that works from where the user stands', async () => {
    const home = await demoHome();
    const screen = await TmuxScreen.open(`demo-${path.basename(home.dir)}`, `cd '${ROOT}' && '${NODE}' '${CLI}' demo`, { ...home.env, TERM: 'xterm-256color' }, 100, 30);
    screens.push(screen);
    await screen.waitFor(/llama\s.*ready.*\d+(\.\d)? tok\/s/, 'tok/s on the llama row', 30_000);
    await screen.keys('q');
    const after = await screen.waitFor(/the services keep running/, 'the hint after q', 10_000, true);
    const hint = /\((.+?) status; /.exec(after);
    expect(hint, after).not.toBeNull();
    expect(hint![1]).toBe('node bin/llama-top.js demo');
    const status = await execa('sh', ['-c', `${hint![1]} status`], { cwd: ROOT, env: home.env, reject: false });
    expect(status.exitCode).toBe(0);
    expect(status.stdout).toMatch(/traffic\s+process\s+ready/);
  });
});
