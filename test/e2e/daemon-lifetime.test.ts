import { afterEach, describe, expect, it } from 'vitest';
import { cleanupAll, isAlive, makeStack, threeServices, waitFor } from '../helpers/stack.js';

afterEach(cleanupAll);

describe('a daemon that comes and goes with the work', () => {
  it('stop and kill after the daemon went away: a new daemon re-adopts the services, then stops them', async () => {
    const stack = await makeStack(threeServices());
    expect((await stack.cli(['start', 'llama', 'ollama'])).exitCode).toBe(0);
    const pids = (await stack.status()).filter((s) => s.pid).map((s) => s.pid as number);
    expect(pids).toHaveLength(2);
    expect((await stack.cli(['daemon', 'stop'])).exitCode).toBe(0);
    expect(pids.every(isAlive)).toBe(true);
    const info = await stack.cli(['daemon', 'status']);
    expect(info.stdout).toMatch(/daemon: not running[\s\S]*running unsupervised: llama, ollama/);
    expect(JSON.parse((await stack.cli(['daemon', 'status', '--json'])).stdout).unsupervised).toEqual(['llama', 'ollama']);
    const kill = await stack.cli(['kill', 'ollama']);
    expect(kill.exitCode).toBe(0);
    expect(kill.stderr).toMatch(/no daemon ran, but llama, ollama did: a new daemon re-adopted them, to stop them/);
    await waitFor(() => !isAlive(pids[1]!), 'ollama killed');
    expect((await stack.cli(['daemon', 'stop'])).exitCode).toBe(0);
    const stop = await stack.cli(['stop']);
    expect(stop.exitCode).toBe(0);
    await waitFor(() => !isAlive(pids[0]!), 'llama stopped');
    expect(JSON.parse((await stack.cli(['daemon', 'status', '--json'])).stdout).running).toBe(false); // the daemon `stop` started went with them
    expect((await stack.cli(['stop'])).stdout).toMatch(/nothing to stop: no daemon runs for this config and no service of it is left running/);
    expect(JSON.parse((await stack.cli(['daemon', 'status', '--json'])).stdout).running).toBe(false);
  });

  it('with nothing to supervise and no client, the daemon exits after the grace', async () => {
    const stack = await makeStack(threeServices());
    stack.env.LLAMA_TOP_IDLE_EXIT_MS = '1000';
    expect((await stack.cli(['status'])).exitCode).toBe(0);
    const pid = JSON.parse((await stack.cli(['daemon', 'status', '--json'])).stdout).pid as number;
    await waitFor(() => !isAlive(pid), 'the idle daemon to exit', 15_000);
    expect(JSON.parse((await stack.cli(['daemon', 'status', '--json'])).stdout).running).toBe(false);
    // A daemon with a running service stays.
    expect((await stack.cli(['start', 'llama'])).exitCode).toBe(0);
    const busy = JSON.parse((await stack.cli(['daemon', 'status', '--json'])).stdout).pid as number;
    const llama = (await stack.status())[0]!.pid as number;
    expect((await stack.cli(['stop', 'llama'])).exitCode).toBe(0);
    expect(isAlive(llama)).toBe(false);
    await waitFor(() => !isAlive(busy), 'the daemon to exit once llama stopped', 15_000);
  });
});
