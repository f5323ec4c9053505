import fs from 'node:fs';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { cleanupAll, fixture, llamaServerCommand, makeStack, NODE, REAL_LLAMA_SERVER, TINY_GGUF, waitFor, type Stack } from '../helpers/stack.js';

// ollama's API on the serve endpoint, translated for a llama-server model. Against the real llama-server when
// LLAMA_SERVER names one (.ci/run builds b4748), else the fixture that speaks the same endpoints and SSE.
afterEach(cleanupAll);

const against = REAL_LLAMA_SERVER ? `the real llama-server (${REAL_LLAMA_SERVER})` : 'the llama-server fixture (set LLAMA_SERVER for the real one)';

/**
 * llama (autostart: false, started on demand) behind the endpoint on ports[1]; `llama` adds lines to its service,
 * `extra` adds services; `paced`: the fixture generates 40 tokens/s; the real one ignores EOS (else it may finish a 'long' answer
 * in under a second on a quiet machine, before the cut it is meant to see).
 */
const serveStack = (options: { extra?: string; llama?: string; paced?: boolean; args?: string[] } = {}) => (ports: number[], dir: string) => {
  fs.copyFileSync(TINY_GGUF, path.join(dir, 'tiny.gguf'));
  return `restart: { maxRetries: 0 }
serve: { listen: 127.0.0.1:${ports[1]} }
services:
  llama:
    kind: llama-server
    command: ${JSON.stringify(llamaServerCommand())}
    model: ./tiny.gguf
    port: ${ports[0]}
    args: ${JSON.stringify(options.args ?? (options.paced ? (REAL_LLAMA_SERVER ? ['-t', '1', '--ignore-eos'] : ['--tok-s', '40']) : ['-t', '1']))}
    models: [tiny]
    autostart: false
    stopTimeout: 5s
${options.llama ?? ''}
${options.extra ?? ''}`;
};

async function startServing(stack: Stack): Promise<string> {
  const start = await stack.cli(['start']);
  expect(start.exitCode, start.stderr).toBe(0);
  const base = `http://127.0.0.1:${stack.ports[1]}`;
  await waitFor(async () => (await fetch(`${base}/api/version`)).ok, 'the endpoint to answer /api/version');
  return base;
}

const post = (url: string, body: unknown) => fetch(url, { method: 'POST', headers: { 'content-type': 'application/json' }, body: typeof body === 'string' ? body : JSON.stringify(body) });

/** The NDJSON lines of a streamed answer, each parsed, in the order they came. */
async function ndjson(res: Response): Promise<Array<Record<string, any>>> {
  const text = await res.text();
  return text.split('\n').filter((l) => l !== '').map((l) => JSON.parse(l));
}

const stateOf = async (stack: Stack, name: string) => (await stack.status()).find((s) => s.name === name)?.state;

describe(`ollama's API for a llama-server model, against ${against}`, () => {
  it('lists it, starts it on the first generate, answers in ollama shape with num_predict tokens, then chat, streamed and not', async () => {
    const stack = await makeStack(serveStack(), 2);
    const base = await startServing(stack);
    expect(await stateOf(stack, 'llama')).toBe('stopped');

    const tags = await (await fetch(`${base}/api/tags`)).json();
    expect(tags.models).toEqual([expect.objectContaining({ name: 'tiny', model: 'tiny', size: fs.statSync(TINY_GGUF).size, details: expect.objectContaining({ format: 'gguf', family: 'llama', parameter_size: '4.18M', quantization_level: 'F16' }) })]);
    expect((await (await fetch(`${base}/api/ps`)).json()).models).toEqual([]);
    expect(await (await fetch(`${base}/`)).text()).toBe('Ollama is running'); // how ollama's clients see it is up
    const show = await (await post(`${base}/api/show`, { model: 'tiny' })).json();
    expect(show.model_info).toMatchObject({ 'general.architecture': 'llama', 'llama.context_length': 512 });

    // Non-streamed generate: the server starts on demand; load_duration is that wait.
    const gen = await post(`${base}/api/generate`, { model: 'tiny', prompt: 'Once upon a time', stream: false, options: { num_predict: 5, temperature: 0, seed: 1, num_ctx: 2048 } });
    expect(gen.status).toBe(200);
    expect(gen.headers.get('x-llama-top-ignored-options')).toBe('num_ctx');
    const answer = await gen.json();
    expect(answer).toMatchObject({ model: 'tiny', done: true, done_reason: 'length', eval_count: 5 });
    expect(typeof answer.response).toBe('string');
    expect(answer.prompt_eval_count).toBeGreaterThan(0);
    for (const k of ['total_duration', 'load_duration', 'eval_duration', 'prompt_eval_duration']) expect(answer[k], k).toBeGreaterThan(0);
    expect(answer.load_duration).toBeLessThanOrEqual(answer.total_duration);
    expect(await stateOf(stack, 'llama')).toBe('ready');
    const ps = (await (await fetch(`${base}/api/ps`)).json()).models;
    expect(ps).toEqual([expect.objectContaining({ name: 'tiny', expires_at: expect.any(String) })]);

    // Streamed generate (stream absent = streamed, as ollama): NDJSON pieces, the last done with the counts.
    const streamed = await post(`${base}/api/generate`, { model: 'tiny', prompt: 'Hello', options: { num_predict: 6 } });
    expect(streamed.headers.get('content-type')).toMatch(/application\/x-ndjson/);
    const lines = await ndjson(streamed);
    expect(lines.length).toBeGreaterThanOrEqual(2);
    expect(lines.slice(0, -1).every((l) => l.done === false && typeof l.response === 'string')).toBe(true);
    expect(lines.at(-1)).toMatchObject({ done: true, done_reason: 'length', response: '', eval_count: 6 });
    expect(lines.at(-1)!.load_duration).toBe(0); // ready already: no wait

    // Chat, non-streamed and streamed.
    const chat = await (await post(`${base}/api/chat`, { model: 'tiny', stream: false, messages: [{ role: 'user', content: 'Hi' }], options: { num_predict: 4 } })).json();
    expect(chat).toMatchObject({ model: 'tiny', message: { role: 'assistant' }, done: true, eval_count: 4 });
    expect(typeof chat.message.content).toBe('string');
    const chatLines = await ndjson(await post(`${base}/api/chat`, { model: 'tiny', stream: true, messages: [{ role: 'user', content: 'Hi' }], options: { num_predict: 3 } }));
    expect(chatLines.slice(0, -1).every((l) => l.done === false && l.message.role === 'assistant')).toBe(true);
    expect(chatLines.at(-1)).toMatchObject({ done: true, message: { role: 'assistant', content: '' }, eval_count: 3 });
    expect(chatLines.at(-1)!.prompt_eval_count).toBeGreaterThan(0);
  });

  it('keep_alive: 0 stops the server after the answer; errors come in ollama shape, never a hang', async () => {
    const stack = await makeStack(serveStack(), 2);
    const base = await startServing(stack);
    const errorOf = async (res: Response) => ({ status: res.status, body: await res.json() });

    expect(await errorOf(await post(`${base}/api/generate`, { model: 'nope', prompt: 'x' }))).toEqual({ status: 404, body: { error: expect.stringMatching(/model "nope".*tiny/) } });
    expect(await errorOf(await post(`${base}/api/chat`, '{not json'))).toEqual({ status: 400, body: { error: expect.stringMatching(/not JSON/) } });
    expect(await errorOf(await post(`${base}/api/generate`, { model: 'tiny', prompt: 'x', keep_alive: 'soon' }))).toEqual({ status: 400, body: { error: expect.stringMatching(/keep_alive/) } });
    expect(await errorOf(await post(`${base}/api/pull`, { model: 'llama3.2' }))).toEqual({ status: 501, body: { error: expect.stringMatching(/pull is ollama's own model management.*GGUF/) } });
    expect(await errorOf(await post(`${base}/api/create`, { model: 'x', from: 'tiny' }))).toEqual({ status: 501, body: { error: expect.stringMatching(/create/) } });
    expect(await errorOf(await post(`${base}/api/generate`, { model: 'tiny', prompt: 'x', images: ['aGk='] }))).toEqual({ status: 400, body: { error: expect.stringMatching(/images cannot be translated/) } });
    expect(await stateOf(stack, 'llama')).toBe('stopped'); // none of those started it
    // Each refusal is a line of the serve log and counted in /metrics, under model="-" as no service took it.
    const log = await waitFor(async () => {
      const out = (await stack.cli(['logs', 'serve'])).stdout;
      return / nope -> - 404 /.test(out) && / - -> - 400 .*not JSON/.test(out) ? out : null;
    }, 'the serve log lines of the refusals');
    expect(log).toMatch(/ - -> - 400 .*images cannot be translated/);
    expect(log).toMatch(/ tiny -> - 400 .*keep_alive/);
    expect(log).toMatch(/ - -> - 501 .*pull is ollama's own/);
    const metrics = await fetch(`${base}/metrics`).then((r) => r.text());
    expect(metrics).toMatch(/^llama_top_serve_requests_total\{model="-",service="-",code="404",stack="[^"]*"\} 1$/m);
    expect(metrics).toMatch(/^llama_top_serve_requests_total\{model="-",service="-",code="400",stack="[^"]*"\} 3$/m);

    // The tiny model has no pooling: llama-server cannot embed with it, and the client reads why.
    const embed = await errorOf(await post(`${base}/api/embed`, { model: 'tiny', input: 'hello' }));
    expect(embed).toEqual({ status: 400, body: { error: expect.stringMatching(/llama cannot embed: .*--embeddings/) } });

    const answer = await (await post(`${base}/api/generate`, { model: 'tiny:latest', prompt: 'Hi', stream: false, keep_alive: 0, options: { num_predict: 2 } })).json();
    expect(answer).toMatchObject({ done: true, eval_count: 2 });
    await waitFor(async () => (await stateOf(stack, 'llama')) === 'stopped', 'llama stopped after a keep_alive: 0 answer', 30_000);
    expect((await (await fetch(`${base}/api/ps`)).json()).models).toEqual([]);
  });
});

describe(`ollama's embeddings for a llama-server started with them, against ${against}`, () => {
  it('/api/embed (a list) and /api/embeddings (one prompt) become /v1/embeddings, in ollama shape', async () => {
    // llama-server embeds with --embeddings and a pooling (the tiny model has none of its own); the fixture takes both.
    const stack = await makeStack(serveStack({ args: ['-t', '1', '--embeddings', '--pooling', 'mean'] }), 2);
    const base = await startServing(stack);
    const embed = await (await post(`${base}/api/embed`, { model: 'tiny', input: ['hello', 'world'] })).json();
    expect(embed).toMatchObject({ model: 'tiny', embeddings: [expect.any(Array), expect.any(Array)] });
    expect(embed.embeddings[0]).toHaveLength(64); // the tiny model's embedding length
    expect(embed.embeddings[0]).not.toEqual(embed.embeddings[1]);
    expect(embed.prompt_eval_count).toBeGreaterThan(0);
    expect(embed.load_duration).toBeGreaterThan(0); // it started the server
    const one = await (await post(`${base}/api/embeddings`, { model: 'tiny', prompt: 'hello' })).json();
    expect(one.embedding).toHaveLength(64);
    expect(one.embedding).toEqual(embed.embeddings[0]);
  });
});

/** A long streamed answer: the real server generates fast, so it is asked for many tokens; the fixture is paced. */
const LONG = REAL_LLAMA_SERVER ? 1_000_000 : 5_000;

/** Reads a streamed answer's NDJSON lines as they come, until `until` says stop. */
async function readLines(res: Response, until: (lines: Array<Record<string, any>>) => boolean): Promise<Array<Record<string, any>>> {
  const reader = res.body!.getReader();
  const decoder = new TextDecoder();
  const lines: Array<Record<string, any>> = [];
  let tail = '';
  for (;;) {
    const { value, done } = await reader.read();
    if (done) return lines;
    tail += decoder.decode(value, { stream: true });
    let nl;
    while ((nl = tail.indexOf('\n')) >= 0) {
      lines.push(JSON.parse(tail.slice(0, nl)));
      tail = tail.slice(nl + 1);
    }
    if (until(lines)) {
      await reader.cancel();
      return lines;
    }
  }
}

describe(`a translated stream's ends, against ${against}`, () => {
  it('a client that leaves mid-stream cancels the answer on the server', async () => {
    const stack = await makeStack(serveStack({ paced: true }), 2);
    const base = await startServing(stack);
    const controller = new AbortController();
    const res = await fetch(`${base}/api/generate`, { method: 'POST', body: JSON.stringify({ model: 'tiny', prompt: 'Once', raw: true, options: { num_predict: LONG } }), signal: controller.signal });
    const first = await readLines(res, (lines) => lines.length >= 3);
    expect(first.every((l) => l.done === false)).toBe(true);
    controller.abort();
    // llama-server's own log says it cancelled the task (b4748: "srv  cancel_tasks: cancel task").
    await waitFor(async () => (await stack.cli(['logs', 'llama'])).stdout.includes('cancel_tasks'), "llama-server's cancel_tasks line", 30_000);
  });

  // drainTimeout is #21 item 5 (the drain before any stop); until the build has it, this waits for it, saying so.
  it('a stop whose drainTimeout runs out cuts the answer: the stream ends with an error line, never hangs', async () => {
    const stack = await makeStack(serveStack({ paced: true, llama: '    drainTimeout: 1s' }), 2);
    const base = await startServing(stack);
    // A raw generate, as the other cut tests send: a chat answer of the real server once ended by itself after 3033
    // tokens (done_reason stop, EOS ignored; a stop word of its template, probably) before a busy machine's stop cut it.
    const res = await post(`${base}/api/generate`, { model: 'tiny', prompt: 'Once', raw: true, options: { num_predict: LONG } });
    expect(res.status).toBe(200);
    const reading = readLines(res, () => false);
    await waitFor(async () => (await stateOf(stack, 'llama')) === 'ready', 'llama ready');
    const stop = await stack.cli(['stop', 'llama']);
    expect(stop.exitCode, stop.stderr).toBe(0);
    const lines = await reading;
    expect(lines.length).toBeGreaterThan(1);
    expect(lines.at(-1)).toEqual({ error: "cut: llama's drainTimeout (1s) ran out during stop" });
    expect(await stateOf(stack, 'llama')).toBe('stopped');
  });

  it('stop --now cuts the answer at once: the last line says so, and the serve log counts it as the cut', async () => {
    const stack = await makeStack(serveStack({ paced: true }), 2);
    const base = await startServing(stack);
    const res = await post(`${base}/api/generate`, { model: 'tiny', prompt: 'Once', raw: true, options: { num_predict: LONG } });
    expect(res.status).toBe(200);
    const reading = readLines(res, () => false);
    await waitFor(async () => (await stateOf(stack, 'llama')) === 'ready', 'llama ready');
    const stop = await stack.cli(['stop', 'llama', '--now']);
    expect(stop.exitCode, stop.stderr).toBe(0);
    const lines = await reading;
    expect(lines.length).toBeGreaterThan(1);
    expect(lines.at(-1)).toEqual({ error: 'cut: stop --now' });
    await waitFor(async () => / tiny -> llama 503 .*\(cut: stop --now\)$/m.test((await stack.cli(['logs', 'serve'])).stdout), 'the serve log line of the cut');
  });
});

describe("ollama's API for a model ollama serves", () => {
  it('lists it beside the llama-server model and passes its generate through untouched', async () => {
    const stack = await makeStack(
      serveStack({
        extra: `  ollama:
    kind: ollama
    command: [${JSON.stringify(NODE)}, ${JSON.stringify(fixture('fake-ollama.mjs'))}, --runners, --tok-s, "200"]
    port: PORT2
    stopTimeout: 3s
`,
      }),
      3,
    );
    fs.writeFileSync(stack.configFile, fs.readFileSync(stack.configFile, 'utf8').replace('PORT2', String(stack.ports[2])));
    const base = await startServing(stack);
    const names = await waitFor(async () => {
      const tags = (await (await fetch(`${base}/api/tags`)).json()).models.map((m: { name: string }) => m.name);
      return tags.includes('llama3.2:1b') ? tags : null;
    }, "ollama's models in /api/tags");
    expect(names).toEqual(['tiny', 'llama3.2:1b', 'qwen2.5:0.5b']);
    // ollama's own entries, as it lists them: digest and details included.
    const entry = (await (await fetch(`${base}/api/tags`)).json()).models.find((m: { name: string }) => m.name === 'llama3.2:1b');
    expect(entry).toMatchObject({ digest: expect.stringMatching(/^[0-9a-f]{64}$/), details: { family: 'llama', quantization_level: 'Q8_0' } });
    const answer = await (await post(`${base}/api/generate`, { model: 'llama3.2:1b', prompt: 'Hi', stream: false, options: { num_predict: 3 } })).json();
    // fake-ollama's own answer (its runner's text and counts), not a translation.
    expect(answer).toMatchObject({ model: 'llama3.2:1b', done: true, eval_count: 3 });
    expect(await stateOf(stack, 'llama')).toBe('stopped');
  });
});
