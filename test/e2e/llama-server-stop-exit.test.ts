import { afterEach, describe, expect, it } from 'vitest';
import { cleanupAll, daemonRequest, isAlive, llamaServerCommand, makeStack, REAL_LLAMA_SERVER, TINY_GGUF } from '../helpers/stack.js';

afterEach(cleanupAll);

const against = REAL_LLAMA_SERVER ? `the real llama-server (${REAL_LLAMA_SERVER})` : 'the llama-server fixture as build 4748 (--abort-on-sigterm; set LLAMA_SERVER for the real one)';
// b4748 aborts on its way out of every SIGTERM stop; the fixture does when told to.
const ARGS = REAL_LLAMA_SERVER ? ['-t', '1', '-c', '256'] : ['--abort-on-sigterm'];

const llamaStack = (ports: number[]) => `
services:
  llama:
    kind: llama-server
    command: ${JSON.stringify(llamaServerCommand())}
    model: ${JSON.stringify(TINY_GGUF)}
    port: ${ports[0]}
    args: ${JSON.stringify(ARGS)}
    health: { inference: false }
`;

describe(`a stop we asked for reads "stopped" even when llama-server aborts on its way out, against ${against}`, () => {
  it('stop: ✓ stopped, state stopped with no error; the raw SIGABRT kept and explained in status --json and the journal', async () => {
    const stack = await makeStack(llamaStack, 1);
    expect((await stack.cli(['start'])).exitCode).toBe(0);
    const [running] = await stack.status();
    const stop = await stack.cli(['stop', 'llama']);
    expect(stop.exitCode, stop.stderr).toBe(0);
    expect(stop.stdout).toMatch(/^✓ llama stopped in [\d.]+s$/m);
    expect(isAlive(running!.pid)).toBe(false);

    const [llama] = await stack.status();
    expect(llama).toMatchObject({ state: 'stopped', lastError: null, signal: 'SIGABRT' });
    expect(llama!.exitNote).toMatch(/^SIGABRT after SIGTERM: llama-server aborts on its way out .*llama\.cpp #12180.*not a crash$/);
    expect((await stack.cli(['status'])).stdout).toMatch(/○\s+llama\s+llama-server\s+stopped\s/);

    const { socket } = JSON.parse((await stack.cli(['daemon', 'status', '--json'])).stdout);
    const { events } = await daemonRequest(socket, { type: 'journal' });
    const last = events.filter((e: any) => e.service === 'llama').at(-1);
    expect(last).toMatchObject({ event: 'stopped', from: 'stopping', to: 'stopped' });
    expect(last.reason).toContain('SIGABRT after SIGTERM');
    expect(events.some((e: any) => e.service === 'llama' && ['crash', 'gave-up'].includes(e.event))).toBe(false);
  });
});
