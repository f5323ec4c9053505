import fs from 'node:fs';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { cleanupAll, fixture, makeStack, NODE, waitFor, type Stack } from '../helpers/stack.js';

afterEach(cleanupAll);

const oneService = () => `services:\n  llm:\n    kind: process\n    command: [${JSON.stringify(NODE)}, -e, "setInterval(() => {}, 1e9)"]\n    readyAfter: 50ms\n`;

/** A fake nvidia-smi on the daemon's PATH that holds a dead pid's memory for `holdMs`. */
function fakeGpu(stack: Stack, holdMs: number): string {
  const bin = path.join(stack.dir, 'gpu-bin');
  fs.mkdirSync(bin);
  fs.writeFileSync(path.join(bin, 'nvidia-smi'), `#!/bin/sh\nexec ${JSON.stringify(NODE)} ${JSON.stringify(fixture('fake-nvidia-smi.mjs'))} "$@"\n`, { mode: 0o755 });
  const pids = path.join(stack.dir, 'gpu-pids');
  fs.writeFileSync(pids, '');
  Object.assign(stack.env, { PATH: `${bin}:${process.env.PATH}`, FAKE_GPU_PIDS: pids, FAKE_GPU_HOLD_MS: String(holdMs) });
  return pids;
}

describe('VRAM that is really free', () => {
  it('a restart starts the next process only once nvidia-smi no longer lists the old one', async () => {
    const stack = await makeStack(oneService, 0);
    const pids = fakeGpu(stack, 1500);
    expect((await stack.cli(['start'])).exitCode).toBe(0);
    const old = (await stack.status())[0]!;
    fs.appendFileSync(pids, `${old.pid} 4096\n`);
    expect((await stack.cli(['restart', 'llm'])).exitCode).toBe(0);
    const fresh = (await stack.status())[0]!;
    const released = fs.readFileSync(`${pids}.released`, 'utf8').split('\n').find((l) => l.startsWith(`${old.pid} `));
    expect(released, 'nvidia-smi was asked until it let go').toBeDefined();
    const dead = Number(fs.readFileSync(`${pids}.dead`, 'utf8').split('\n').find((l) => l.startsWith(`${old.pid} `))!.split(' ')[1]);
    const releasedAt = Number(released!.split(' ')[1]);
    expect(releasedAt - dead).toBeGreaterThanOrEqual(1500); // the fake held it that long
    expect(Date.parse(fresh.startedAt)).toBeGreaterThanOrEqual(releasedAt); // spawned after the memory was free
  });

  it('a driver that never lets go: the stop ends after the bound, with a warning naming the pid', async () => {
    const stack = await makeStack(oneService, 0);
    const pids = fakeGpu(stack, 3_600_000);
    stack.env.LLAMA_TOP_GPU_RELEASE_MS = '800';
    expect((await stack.cli(['start'])).exitCode).toBe(0);
    const old = (await stack.status())[0]!;
    fs.appendFileSync(pids, `${old.pid} 4096\n`);
    expect((await stack.cli(['stop', 'llm'])).exitCode).toBe(0);
    const log = path.join(stack.stateDir(), 'daemon.log');
    await waitFor(() => fs.readFileSync(log, 'utf8').includes(`llm: nvidia-smi still lists pid ${old.pid} holding GPU memory 0.8 s after it stopped`), 'the warning');
  });
});
