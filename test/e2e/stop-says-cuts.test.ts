import { afterEach, describe, expect, it } from 'vitest';
import { parsePrometheus } from '../../src/models/prometheus.js';
import { cleanupAll, llamaServerCommand, makeStack, REAL_LLAMA_SERVER, TINY_GGUF, waitFor } from '../helpers/stack.js';

afterEach(cleanupAll);

const against = REAL_LLAMA_SERVER ? `the real llama-server (${REAL_LLAMA_SERVER})` : 'the llama-server fixture (set LLAMA_SERVER for the real one)';
const ARGS = REAL_LLAMA_SERVER ? ['-t', '1', '-c', '8192'] : ['--tok-s', '50'];
/** Some five seconds of generation or more (the real one is fast on the tiny model): long enough to be stopped in flight, short enough to finish within a 60-s drain. */
const MEDIUM = REAL_LLAMA_SERVER ? 6000 : 250;
const ENDLESS = 100_000;

const llamaStack = (drainTimeout: string) => (ports: number[]) => `
services:
  llama:
    kind: llama-server
    command: ${JSON.stringify(llamaServerCommand())}
    model: ${JSON.stringify(TINY_GGUF)}
    port: ${ports[0]}
    args: ${JSON.stringify(ARGS)}
    stopTimeout: 5s
    health: { inference: false }
    drainTimeout: ${drainTimeout}
`;

/** A completion straight to the server; settles however it ends (whole or cut). */
function complete(port: number, nPredict: number): Promise<unknown> {
  return fetch(`http://127.0.0.1:${port}/completion`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ prompt: 'Once upon a time', n_predict: nPredict, ignore_eos: true, cache_prompt: false }),
    signal: AbortSignal.timeout(120_000),
  }).then((res) => res.text(), (error: Error) => error.message);
}

async function processing(port: number): Promise<number> {
  const res = await fetch(`http://127.0.0.1:${port}/metrics`, { signal: AbortSignal.timeout(5000) });
  return parsePrometheus(await res.text()).get('llamacpp:requests_processing') ?? 0;
}

const generating = (port: number) => waitFor(async () => (await processing(port)) >= 1, 'an answer being generated', 30_000);

describe(`the ✓ of a stop says what its drain did, against ${against}`, () => {
  it('stop --now and a drainTimeout that runs out say how many requests were cut, in text and --json', async () => {
    const stack = await makeStack(llamaStack('1s'), 1);
    const port = stack.ports[0]!;
    expect((await stack.cli(['start'])).exitCode).toBe(0);

    const first = complete(port, ENDLESS);
    await generating(port);
    const now = await stack.cli(['stop', 'llama', '--now'], { timeout: 60_000 });
    expect(now.exitCode, now.stderr).toBe(0);
    expect(now.stdout).toMatch(/^✓ llama stopped in [\d.]+s · 1 request cut \(--now\)$/m);
    await first;

    expect((await stack.cli(['start'])).exitCode).toBe(0);
    const second = complete(port, ENDLESS);
    await generating(port);
    const timedOut = await stack.cli(['stop', 'llama', '--json'], { timeout: 60_000 });
    expect(timedOut.exitCode, timedOut.stderr).toBe(0);
    const [outcome] = JSON.parse(timedOut.stdout).results;
    expect(outcome).toMatchObject({ name: 'llama', ok: true, state: 'stopped', drain: { drained: 0, cut: 1, cutBy: 'drainTimeout', timeoutMs: 1000 } });
    await second;

    expect((await stack.cli(['start'])).exitCode).toBe(0);
    const third = complete(port, ENDLESS);
    await generating(port);
    const text = await stack.cli(['restart', 'llama'], { timeout: 60_000 });
    expect(text.exitCode, text.stderr).toBe(0);
    expect(text.stdout).toMatch(/^✓ llama restarted, ready in [\d.]+s \(pid \d+, port \d+\) · 1 request cut after drainTimeout 1s$/m);
    await third;

    // Nothing in flight: a plain ✓, nothing said of a drain.
    const quiet = await stack.cli(['stop', 'llama', '--now'], { timeout: 60_000 });
    expect(quiet.stdout).toMatch(/^✓ llama stopped in [\d.]+s$/m);
  }, 180_000);

  it('a drain that waited for its request says it drained it', async () => {
    const stack = await makeStack(llamaStack('60s'), 1);
    const port = stack.ports[0]!;
    expect((await stack.cli(['start'])).exitCode).toBe(0);
    const answer = complete(port, MEDIUM);
    await generating(port);
    const stop = await stack.cli(['stop', 'llama'], { timeout: 90_000 });
    expect(stop.exitCode, stop.stderr).toBe(0);
    expect(stop.stdout).toMatch(/^✓ llama stopped in [\d.]+s \(drained 1 in [\d.]+s\)$/m);
    expect(await answer).toContain(`"tokens_predicted":${MEDIUM}`);
  }, 180_000);
});
