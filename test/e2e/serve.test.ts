import { afterEach, describe, expect, it } from 'vitest';
import { cleanupAll, isAlive, REAL_LLAMA_SERVER, waitFor } from '../helpers/stack.js';
import { makeServeStack, postJson, readEvents } from '../helpers/serve-stack.js';

afterEach(cleanupAll);

const chat = (model: string, extra: Record<string, unknown> = {}) => ({ model, messages: [{ role: 'user', content: 'hi' }], max_tokens: 2, ...extra });

describe(`serve endpoint (${REAL_LLAMA_SERVER ? 'real llama-server' : 'fixture'})`, () => {
  it('start listens with no service running; the first request starts its server, waits for ready and is answered', async () => {
    const stack = await makeServeStack([
      { name: 'alpha', models: ['alpha', 'tiny-a'], fakeArgs: ['--load-ms', '700'] },
      { name: 'beta', models: ['beta'] },
    ]);
    const start = await stack.cli(['start']);
    expect(start.stderr).toBe('');
    expect(start.exitCode).toBe(0);
    expect(start.stdout).toContain(`serving on ${stack.serveUrl}/v1`);
    expect((await stack.status()).map((s) => s.state)).toEqual(['stopped', 'stopped']);

    const list = await fetch(`${stack.serveUrl}/v1/models`).then((r) => r.json());
    expect(list.object).toBe('list');
    expect(list.data.map((m: any) => [m.id, m.owned_by, m.service, m.state])).toEqual([
      ['alpha', 'llama-top', 'alpha', 'stopped'],
      ['tiny-a', 'llama-top', 'alpha', 'stopped'],
      ['beta', 'llama-top', 'beta', 'stopped'],
    ]);

    const answer = await postJson(`${stack.serveUrl}/v1/chat/completions`, chat('tiny-a'));
    expect(answer.status).toBe(200);
    expect(answer.json.object).toBe('chat.completion');
    expect(answer.json.choices[0].message.role).toBe('assistant');
    const [alpha, beta] = await stack.status();
    expect(alpha!.state).toBe('ready');
    expect(isAlive(alpha!.pid)).toBe(true);
    expect(beta!.state).toBe('stopped');
    expect(alpha!.serve).toMatchObject({ models: ['alpha', 'tiny-a'], group: null, inFlight: 0, waiting: 0 });

    // Each request is a line of the serve log: model, service, status, the cold start's wait.
    const log = await waitFor(async () => {
      const run = await stack.cli(['logs', 'serve']);
      return run.stdout.includes('tiny-a -> alpha 200') ? run.stdout : null;
    }, 'the serve log line');
    expect(log).toMatch(/^\d{4}-\d\d-\d\dT[\d:.]+Z tiny-a -> alpha 200 tokens \d+\/\d+ \d+ms waited \d+ms \(cold start\)$/m);
  });

  it('answers errors in OpenAI\'s shape: 404 names the models there are, 400 for a body that is not JSON or names no model', async () => {
    const stack = await makeServeStack([{ name: 'alpha' }]);
    expect((await stack.cli(['start'])).exitCode).toBe(0);
    const unknown = await postJson(`${stack.serveUrl}/v1/chat/completions`, chat('nope'));
    expect(unknown.status).toBe(404);
    expect(unknown.json).toEqual({ error: { message: 'model "nope" is not served here (models: alpha, tiny.gguf)', type: 'invalid_request_error', code: 'model_not_found' } });
    const notJson = await postJson(`${stack.serveUrl}/v1/chat/completions`, '{not json');
    expect(notJson.status).toBe(400);
    expect(notJson.json.error).toMatchObject({ type: 'invalid_request_error', code: 'invalid_json' });
    expect(notJson.json.error.message).toMatch(/not JSON/);
    const noModel = await postJson(`${stack.serveUrl}/v1/embeddings`, { input: 'x' });
    expect(noModel.status).toBe(400);
    expect(noModel.json.error).toMatchObject({ type: 'invalid_request_error', code: 'model_required' });
    const noRoute = await fetch(`${stack.serveUrl}/nowhere`);
    expect(noRoute.status).toBe(404);
    expect((await noRoute.json()).error.code).toBe('not_found');
    // None of them started anything.
    expect((await stack.status())[0]!.state).toBe('stopped');
  });

  it('forwards a streamed answer event by event', async () => {
    const stack = await makeServeStack([{ name: 'alpha', fakeArgs: ['--tok-s', '20'] }]);
    expect((await stack.cli(['start'])).exitCode).toBe(0);
    // Warm: the stream below measures forwarding, not the start.
    const warm = await postJson(`${stack.serveUrl}/v1/chat/completions`, chat("alpha"));
    expect(warm.text).toContain("chat.completion");
    const { status, events } = await readEvents(`${stack.serveUrl}/v1/chat/completions`, chat('alpha', { stream: true, max_tokens: REAL_LLAMA_SERVER ? 200 : 8, n_predict: REAL_LLAMA_SERVER ? 200 : 8 }));
    expect(status).toBe(200);
    expect(events.at(-1)!.data).toBe('[DONE]');
    const chunks = events.filter((e) => e.data !== '[DONE]').map((e) => JSON.parse(e.data));
    expect(chunks.length).toBeGreaterThanOrEqual(2);
    expect(chunks[0].object).toBe('chat.completion.chunk');
    // Passed on as they came: the first event arrived well before the last (the server spaces them at its token rate).
    const spread = events.at(-1)!.at - events[0]!.at;
    expect(spread).toBeGreaterThan(REAL_LLAMA_SERVER ? 0 : 150);
    expect(new Set(events.map((e) => e.at)).size).toBeGreaterThan(1);
  });
});
