import fs from 'node:fs';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { parsePrometheus } from '../../src/models/prometheus.js';
import { cleanupAll, fixture, llamaServerCommand, makeStack, NODE, REAL_LLAMA_SERVER, TINY_GGUF, waitFor } from '../helpers/stack.js';

afterEach(cleanupAll);

const against = REAL_LLAMA_SERVER ? `the real llama-server (${REAL_LLAMA_SERVER})` : 'the llama-server fixture (set LLAMA_SERVER for the real one)';
// The real one generates a few hundred tokens a second from the tiny model on one thread; the fixture 50 (--tok-s).
const ARGS = REAL_LLAMA_SERVER ? ['-t', '1', '-c', '8192'] : ['--tok-s', '50'];
/**
 * A long answer: some fifteen seconds of generation (each CLI call takes a second or more on a busy machine, and
 * status must be seen draining meanwhile), well within the drainTimeout of the test that waits for it (60 s).
 */
const LONG = REAL_LLAMA_SERVER ? 7000 : 750;
/** An answer that outlives any drainTimeout here. */
const ENDLESS = 100_000;

const llamaStack = (drainTimeout?: string) => (ports: number[]) => `
services:
  llama:
    kind: llama-server
    command: ${JSON.stringify(llamaServerCommand())}
    model: ${JSON.stringify(TINY_GGUF)}
    port: ${ports[0]}
    args: ${JSON.stringify(ARGS)}
    stopTimeout: 5s
    health: { inference: false }
${drainTimeout ? `    drainTimeout: ${drainTimeout}` : ''}
`;

interface Answer {
  status: number | null;
  tokens: number | null;
  error: string | null;
  at: number;
}

/** A completion sent straight to the server (not through llama-top), its answer whole or how it was cut. */
function complete(port: number, nPredict: number): Promise<Answer> {
  return fetch(`http://127.0.0.1:${port}/completion`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ prompt: 'Once upon a time', n_predict: nPredict, ignore_eos: true, cache_prompt: false }),
    signal: AbortSignal.timeout(120_000),
  }).then(
    async (res) => {
      const body = await res.text().catch((e: Error) => `{"cut": "${e.message}"}`);
      let tokens: number | null = null;
      try {
        tokens = JSON.parse(body).tokens_predicted ?? null;
      } catch {
        // cut mid-body
      }
      return { status: res.status, tokens, error: null, at: Date.now() };
    },
    (error: Error) => ({ status: null, tokens: null, error: String((error.cause as Error)?.message ?? error.message), at: Date.now() }),
  );
}

/** The server's own count of requests it is processing (its /metrics). */
async function processing(port: number): Promise<number> {
  const res = await fetch(`http://127.0.0.1:${port}/metrics`, { signal: AbortSignal.timeout(5000) });
  return parsePrometheus(await res.text()).get('llamacpp:requests_processing') ?? 0;
}

const daemonLog = (stateDir: string) => fs.readFileSync(path.join(stateDir, 'daemon.log'), 'utf8');

describe(`drain before a stop, against ${against}`, () => {
  it('a restart during a long answer waits for it: the answer completes whole, and status says draining meanwhile', async () => {
    const stack = await makeStack(llamaStack('60s'), 1);
    expect((await stack.cli(['start'])).exitCode).toBe(0);
    const port = stack.ports[0]!;
    const before = (await stack.status())[0]!;
    const answer = complete(port, LONG);
    await waitFor(async () => (await processing(port)) >= 1, 'the long answer being generated', 30_000);
    const restart = stack.cli(['restart', 'llama'], { timeout: 120_000 });
    let json: Record<string, any> | null = null;
    let table: string | null = null;
    await waitFor(async () => {
      const [services, text] = await Promise.all([stack.status(), stack.cli(['status'])]);
      const llama = services[0]!;
      if (llama.state === 'draining' && llama.drain?.inFlight === 1) json = llama;
      if (/draining \(1 in flight\)/.test(text.stdout)) table = text.stdout;
      return json !== null && table !== null;
    }, 'status --json and the status table saying draining (1 in flight)', 60_000, 20);
    expect(json!.pid).toBe(before.pid);
    expect(Date.parse(json!.drain.cutAt)).toBeGreaterThan(Date.now());
    const done = await answer;
    expect(done).toMatchObject({ status: 200, tokens: LONG, error: null });
    const restarted = await restart;
    expect(restarted.exitCode, restarted.stderr).toBe(0);
    // The start progress, off a terminal a line per change, said what it waited for.
    expect(restarted.stderr).toMatch(/llama: draining, waiting for 1 request in flight \(cut in \d+s\)/);
    const after = (await stack.status())[0]!;
    expect(after.state).toBe('ready');
    expect(after.pid).not.toBe(before.pid);
  }, 180_000);

  it('drainTimeout cuts a request that outlives it, then stops', async () => {
    const stack = await makeStack(llamaStack('1s'), 1);
    expect((await stack.cli(['start'])).exitCode).toBe(0);
    const port = stack.ports[0]!;
    const answer = complete(port, ENDLESS);
    await waitFor(async () => (await processing(port)) >= 1, 'the endless answer being generated', 30_000);
    const stop = await stack.cli(['stop', 'llama', '--json'], { timeout: 60_000 });
    expect(stop.exitCode, stop.stderr).toBe(0);
    const [outcome] = JSON.parse(stop.stdout).results;
    expect(outcome).toMatchObject({ name: 'llama', ok: true, state: 'stopped' });
    expect(outcome.elapsedMs).toBeGreaterThanOrEqual(1000); // it waited its drainTimeout first
    const cut = await answer;
    expect(cut.tokens).not.toBe(ENDLESS);
    expect(daemonLog(stack.stateDir())).toMatch(/llama: drainTimeout \(1s\) ran out: 1 request in flight cut/);
    const llama = (await stack.status())[0]!;
    expect(llama).toMatchObject({ state: 'stopped', lastError: null });
  }, 120_000);

  it('stop --now and restart --now do not wait: the answer in flight is cut at once', async () => {
    const stack = await makeStack(llamaStack(), 1);
    expect((await stack.cli(['start'])).exitCode).toBe(0);
    const port = stack.ports[0]!;

    const first = complete(port, LONG);
    await waitFor(async () => (await processing(port)) >= 1, 'a long answer being generated', 30_000);
    const before = (await stack.status())[0]!;
    const restarted = await stack.cli(['restart', 'llama', '--now'], { timeout: 60_000 });
    expect(restarted.exitCode, restarted.stderr).toBe(0);
    expect(restarted.stderr).not.toMatch(/draining/);
    // A drain would have waited for it (it ends well within drainTimeout): it was cut instead.
    expect(await first).not.toMatchObject({ status: 200, tokens: LONG });
    expect((await stack.status())[0]!.pid).not.toBe(before.pid);

    const second = complete(port, LONG);
    await waitFor(async () => (await processing(port)) >= 1, 'another long answer being generated', 30_000);
    const stopped = await stack.cli(['stop', 'llama', '--now'], { timeout: 60_000 });
    expect(stopped.exitCode, stopped.stderr).toBe(0);
    expect(stopped.stderr).not.toMatch(/draining/);
    expect(await second).not.toMatchObject({ status: 200, tokens: LONG });
    expect(daemonLog(stack.stateDir())).not.toMatch(/drainTimeout .* ran out/);
  }, 180_000);

  it('a service with nothing in flight stops without waiting for anything', async () => {
    const stack = await makeStack(llamaStack('30s'), 1);
    expect((await stack.cli(['start'])).exitCode).toBe(0);
    const stop = await stack.cli(['stop', 'llama', '--json'], { timeout: 60_000 });
    expect(stop.exitCode, stop.stderr).toBe(0);
    const [outcome] = JSON.parse(stop.stdout).results;
    expect(outcome).toMatchObject({ ok: true, state: 'stopped' });
    // Counting nothing in flight is two /metrics questions; the drainTimeout (30 s) is never what it waits for.
    expect(outcome.elapsedMs).toBeLessThan(5000);
  }, 60_000);
});

describe('drain before a stop, against the ollama fixture (ollama counts no requests: its runners\' token writes stand for them)', () => {
  it('a stop during a long answer waits for it to complete whole', async () => {
    const stack = await makeStack((ports) => `
services:
  ollama:
    kind: ollama
    command: ${JSON.stringify([NODE, fixture('fake-ollama.mjs'), '--runners', '--tok-s', '50'])}
    port: ${ports[0]}
    stopTimeout: 5s
    health: { inference: false }
    drainTimeout: 60s
`, 1);
    expect((await stack.cli(['start'])).exitCode).toBe(0);
    const port = stack.ports[0]!;
    const answer = fetch(`http://127.0.0.1:${port}/api/generate`, {
      method: 'POST',
      body: JSON.stringify({ model: 'qwen2.5:0.5b', prompt: 'Once upon a time', stream: false, options: { num_predict: 400 } }),
      signal: AbortSignal.timeout(120_000),
    }).then(
      async (res) => ({ status: res.status, body: (await res.json()) as { eval_count?: number; done?: boolean } }),
      (error: Error) => ({ status: null, body: { error: error.message } as { eval_count?: number; done?: boolean } }),
    );
    // Generating: its runner is up (the model is listed as loaded) and the answer is seconds from done (400 at 50/s).
    await waitFor(async () => ((await (await fetch(`http://127.0.0.1:${port}/api/ps`)).json()) as { models: unknown[] }).models.length > 0, 'the model loaded', 30_000);
    const stop = stack.cli(['stop', 'ollama'], { timeout: 120_000 });
    await waitFor(async () => (await stack.status())[0]!.drain?.inFlight === 1, 'ollama draining with its generating runner counted', 30_000, 20);
    const done = await answer;
    expect(done).toMatchObject({ status: 200, body: { eval_count: 400, done: true } });
    const stopped = await stop;
    expect(stopped.exitCode, stopped.stderr).toBe(0);
    expect(stopped.stderr).toMatch(/ollama: draining, waiting for 1 request in flight/);
    expect((await stack.status())[0]!.state).toBe('stopped');
  }, 120_000);
});
