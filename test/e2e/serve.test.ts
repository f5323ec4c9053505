import fs from 'node:fs';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { cleanupAll, fixture, isAlive, REAL_LLAMA_SERVER, TINY_GGUF, waitFor } from '../helpers/stack.js';
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

    // `stop` stops the models, not the endpoint: the next request starts its model again.
    expect((await stack.cli(['stop'])).exitCode).toBe(0);
    expect(isAlive(alpha!.pid)).toBe(false);
    expect((await stack.cli(['daemon', 'status'])).stdout).toContain(`serve:  ${stack.serveUrl}/v1`);
    expect((await postJson(`${stack.serveUrl}/v1/chat/completions`, chat('alpha'))).status).toBe(200);
  });

  it('answers errors in OpenAI\'s shape: 404 names the models there are, 400 for a body that is not JSON or names no model, 405 for a GET of a POST route', async () => {
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
    // A model name longer than any (it would be echoed, logged and a metrics label): 400, short.
    const long = await postJson(`${stack.serveUrl}/v1/chat/completions`, chat('x'.repeat(100_000)));
    expect(long.status).toBe(400);
    expect(long.json.error.code).toBe('model_name_too_long');
    expect(long.text.length).toBeLessThan(500);
    // A GET of a POST route (a browser's): 405 with Allow: POST, in OpenAI's shape; an unknown /v1 path too.
    for (const path of ['/v1/chat/completions', '/v1/completions', '/v1/embeddings']) {
      const get = await fetch(`${stack.serveUrl}${path}`);
      expect(get.status, path).toBe(405);
      expect(get.headers.get('allow')).toBe('POST');
      expect((await get.json()).error).toMatchObject({ type: 'invalid_request_error', code: 'method_not_allowed', message: expect.stringContaining('POST') });
    }
    expect((await fetch(`${stack.serveUrl}/v1/models`)).status).toBe(200);
    // A broken percent-escape names no model: 404, not 500.
    expect((await fetch(`${stack.serveUrl}/v1/models/%E0%A4%A`)).status).toBe(404);
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

describe(`serve endpoint: failures (${REAL_LLAMA_SERVER ? 'real llama-server' : 'fixture'})`, () => {
  it('503 with the reason the daemon knows when the server fails to start; 504 when a start outlasts startTimeout; never a hang', async () => {
    const stack = await makeServeStack(
      [
        { name: 'broken', model: './broken.gguf' },
        // Only the fixture loads slowly on demand: the tiny model loads in well under a second.
        { name: 'slow', fixtureOnly: true, fakeArgs: ['--load-ms', '20000'], extra: ['startTimeout: 1500ms'] },
      ],
      [],
      [],
      // A file that is there but no complete GGUF: the server says `failed to load model '…'` and aborts.
      (dir) => fs.writeFileSync(path.join(dir, 'broken.gguf'), fs.readFileSync(TINY_GGUF).subarray(0, 4096)),
    );
    expect((await stack.cli(['start'])).exitCode).toBe(0);
    const began = Date.now();
    const broken = await postJson(`${stack.serveUrl}/v1/completions`, { model: 'broken', prompt: 'x' });
    expect(broken.status).toBe(503);
    expect(broken.json.error).toMatchObject({ type: 'server_error', code: 'service_unavailable' });
    expect(broken.json.error.message).toMatch(/^broken failed to start: .*failed to (load model|read)/);
    expect(Date.now() - began).toBeLessThan(20_000);

    const slow = await postJson(`${stack.serveUrl}/v1/completions`, { model: 'slow', prompt: 'x' });
    expect(slow.status).toBe(504);
    expect(slow.json.error).toMatchObject({ type: 'server_error', code: 'start_timeout' });
    expect(slow.json.error.message).toMatch(/^slow did not become ready within its startTimeout \(2 s\)/);

    const log = (await stack.cli(['logs', 'serve'])).stdout;
    expect(log).toMatch(/ broken -> broken 503 \d+ms \(broken failed to start/);
    expect(log).toMatch(/ slow -> slow 504 /);
  });

  it('a client that disconnects mid-stream cancels the upstream request', async () => {
    const stack = await makeServeStack([{ name: 'alpha', fakeArgs: ['--tok-s', '10'] }]);
    expect((await stack.cli(['start'])).exitCode).toBe(0);
    const leave = new AbortController();
    const res = await fetch(`${stack.serveUrl}/v1/chat/completions`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify(chat('alpha', { stream: true, max_tokens: 100000, n_predict: 100000 })),
      signal: leave.signal,
    });
    expect(res.status).toBe(200);
    const reader = res.body!.getReader();
    expect((await reader.read()).done).toBe(false); // the first event came
    leave.abort();
    const [alpha] = await stack.status();
    if (REAL_LLAMA_SERVER) {
      // The real server frees its slot once it sees the connection gone (its log says so only at debug level).
      await waitFor(async () => {
        const metrics = await fetch(`http://127.0.0.1:${alpha!.port}/metrics`).then((r) => r.text());
        return /llamacpp:requests_processing 0\b/.test(metrics);
      }, 'the server to stop processing the cancelled request', 20_000);
    } else {
      await waitFor(async () => /cancel_tasks: cancel task/.test((await stack.cli(['logs', 'alpha'])).stdout), 'the fixture to log the cancelled task');
    }
    await waitFor(async () => / alpha -> alpha 200 .*\(client left\)$/m.test((await stack.cli(['logs', 'serve'])).stdout), 'the serve log to say the client left');
    expect((await stack.status())[0]!.serve.inFlight).toBe(0);
  });

  it('asks for an API key when serve.apiKeys is set, the way OpenAI clients send it', async () => {
    const stack = await makeServeStack([{ name: 'alpha' }], ['apiKeys: [sk-local-123456]']);
    expect((await stack.cli(['start'])).exitCode).toBe(0);
    const none = await postJson(`${stack.serveUrl}/v1/chat/completions`, chat('alpha'));
    expect(none.status).toBe(401);
    expect(none.json.error.code).toBe('invalid_api_key');
    const wrong = await postJson(`${stack.serveUrl}/v1/chat/completions`, chat('alpha'), { authorization: 'Bearer sk-wrong-123456' });
    expect(wrong.status).toBe(401);
    const right = await postJson(`${stack.serveUrl}/v1/chat/completions`, chat('alpha'), { authorization: 'Bearer sk-local-123456' });
    expect(right.status).toBe(200);
    // The scheme is case-insensitive (RFC 7235); a key in the query is no key.
    expect((await postJson(`${stack.serveUrl}/v1/chat/completions`, chat('alpha'), { authorization: 'bearer sk-local-123456' })).status).toBe(200);
    expect((await postJson(`${stack.serveUrl}/v1/chat/completions?api_key=sk-local-123456`, chat('alpha'))).status).toBe(401);
  });
});

/** A streamed chat answer that outlives the test (the real server ignores EOS, the fixture paces 10 tokens/s). */
async function endlessStream(url: string) {
  const res = await fetch(`${url}/v1/chat/completions`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify(chat('alpha', { stream: true, max_tokens: 100000, n_predict: 100000, ignore_eos: true })),
  });
  expect(res.status).toBe(200);
  const reader = res.body!.getReader();
  const decoder = new TextDecoder();
  let text = '';
  while (!text.includes('\n\n')) {
    const { done, value } = await reader.read();
    if (done) break;
    text += decoder.decode(value, { stream: true });
  }
  /** The rest of the answer, read to its end: every event's data. */
  const rest = async () => {
    for (;;) {
      const { done, value } = await reader.read();
      if (done) break;
      text += decoder.decode(value, { stream: true });
    }
    return text.split('\n\n').filter((e) => e.startsWith('data: ')).map((e) => e.slice(6));
  };
  return rest;
}

describe(`serve endpoint: a stream cut after it began says why (${REAL_LLAMA_SERVER ? 'real llama-server' : 'fixture'})`, () => {
  it('stop --now: the last event is an error "cut: stop --now"; the serve log and /metrics count it as the cut (503)', async () => {
    const stack = await makeServeStack([{ name: 'alpha', fakeArgs: ['--tok-s', '10'] }]);
    expect((await stack.cli(['start'])).exitCode).toBe(0);
    const rest = await endlessStream(stack.serveUrl);
    const stop = await stack.cli(['stop', 'alpha', '--now']);
    expect(stop.exitCode, stop.stderr).toBe(0);
    const events = await rest();
    expect(events.length).toBeGreaterThanOrEqual(2);
    expect(JSON.parse(events.at(-1)!)).toEqual({ error: { message: 'cut: stop --now', type: 'server_error', code: 'service_stopped' } });
    expect(JSON.parse(events[0]!).object).toBe('chat.completion.chunk');
    const log = await waitFor(async () => {
      const out = (await stack.cli(['logs', 'serve'])).stdout;
      return / alpha -> alpha 503 .*\(cut: stop --now\)$/m.test(out) ? out : null;
    }, 'the serve log line of the cut request');
    expect(log).not.toMatch(/upstream:/);
    const metrics = await fetch(`${stack.serveUrl}/metrics`).then((r) => r.text());
    expect(metrics).toMatch(/^llama_top_serve_requests_total\{model="alpha",service="alpha",code="503",stack="serve-test"\} 1$/m);
  });

  it('stop --now while a stop drains: the drain is cut, and the last event says stop --now, not the drainTimeout', async () => {
    const stack = await makeServeStack([{ name: 'alpha', fakeArgs: ['--tok-s', '10'] }]);
    expect((await stack.cli(['start'])).exitCode).toBe(0);
    const rest = await endlessStream(stack.serveUrl);
    const draining = stack.cli(['stop', 'alpha']); // waits up to drainTimeout (30 s)
    await waitFor(async () => (await stack.status())[0]!.state === 'draining', 'alpha draining');
    expect((await stack.cli(['stop', 'alpha', '--now'])).exitCode).toBe(0);
    const events = await rest();
    expect(JSON.parse(events.at(-1)!)).toEqual({ error: { message: 'cut: stop --now', type: 'server_error', code: 'service_stopped' } });
    expect((await draining).exitCode).toBe(0);
  });

  it('drainTimeout: the last event says the drain of that service ran out during the stop', async () => {
    const stack = await makeServeStack([{ name: 'alpha', fakeArgs: ['--tok-s', '10'], extra: ['drainTimeout: 1s'] }]);
    expect((await stack.cli(['start'])).exitCode).toBe(0);
    const rest = await endlessStream(stack.serveUrl);
    expect((await stack.cli(['stop', 'alpha'])).exitCode).toBe(0);
    const events = await rest();
    expect(JSON.parse(events.at(-1)!)).toEqual({ error: { message: "cut: alpha's drainTimeout (1s) ran out during stop", type: 'server_error', code: 'service_stopped' } });
    await waitFor(async () => / alpha -> alpha 503 .*\(cut: alpha's drainTimeout \(1s\) ran out during stop\)$/m.test((await stack.cli(['logs', 'serve'])).stdout), 'the serve log line of the cut request');
  });

  it('a server killed mid-answer: the last event says it exited and how', async () => {
    const stack = await makeServeStack([{ name: 'alpha', fakeArgs: ['--tok-s', '10'] }]);
    expect((await stack.cli(['start'])).exitCode).toBe(0);
    const rest = await endlessStream(stack.serveUrl);
    process.kill((await stack.status())[0]!.pid, 'SIGKILL');
    const events = await rest();
    expect(JSON.parse(events.at(-1)!)).toEqual({ error: { message: 'alpha exited (killed by SIGKILL)', type: 'server_error', code: 'server_exited' } });
    await waitFor(async () => / alpha -> alpha 502 .*\(alpha exited \(killed by SIGKILL\)\)$/m.test((await stack.cli(['logs', 'serve'])).stdout), 'the serve log line of the cut request');
  });
});

describe('serve endpoint: who may call it', () => {
  it('on loopback, refuses a Host that is no loopback name (DNS rebinding)', async () => {
    const stack = await makeServeStack([{ name: 'alpha' }]);
    expect((await stack.cli(['start'])).exitCode).toBe(0);
    const http = await import('node:http');
    const status = (host: string) =>
      new Promise<number>((resolve, reject) => {
        const req = http.request({ host: '127.0.0.1', port: stack.ports[1], path: '/v1/models', headers: { host } }, (res) => {
          res.resume();
          resolve(res.statusCode ?? 0);
        });
        req.on('error', reject);
        req.end();
      });
    expect(await status('evil.example:80')).toBe(403);
    expect(await status(`localhost:${stack.ports[1]}`)).toBe(200);
    expect(await status(`127.0.0.1:${stack.ports[1]}`)).toBe(200);
  });
});

describe('serve endpoint: ollama behind it', () => {
  it("passes /api/* through to the ollama service (started on demand) and lists its /api/tags models", async () => {
    const stack = await makeServeStack([{ name: 'alpha' }], [], [], () => undefined);
    // An ollama service besides: the fixture speaks its API.
    fs.appendFileSync(
      stack.configFile,
      `  ollama:\n    kind: ollama\n    command: [${JSON.stringify(process.execPath)}, ${JSON.stringify(fixture('fake-ollama.mjs'))}]\n    port: ${await freePort()}\n    autostart: false\n`,
    );
    expect((await stack.cli(['start'])).exitCode).toBe(0);
    const tags = await fetch(`${stack.serveUrl}/api/tags`);
    expect(tags.status).toBe(200);
    // ollama's API speaks for every model (the ollama dialect, #24): alpha's names, then ollama's own entries.
    expect((await tags.json()).models.map((m: any) => m.name)).toEqual(['alpha', 'tiny.gguf', 'llama3.2:1b', 'qwen2.5:0.5b']);
    const ollama = (await stack.status()).find((s) => s.name === 'ollama')!;
    expect(ollama.state).toBe('ready');
    const list = await fetch(`${stack.serveUrl}/v1/models`).then((r) => r.json());
    expect(list.data.filter((m: any) => m.service === 'ollama').map((m: any) => m.id)).toEqual(['ollama', 'llama3.2:1b', 'qwen2.5:0.5b']);
    const log = await waitFor(async () => {
      const out = (await stack.cli(['logs', 'serve'])).stdout;
      return / ollama -> ollama 200 /.test(out) ? out : null;
    }, 'the serve log line of the /api/tags request');
    expect(log).toMatch(/ ollama -> ollama 200 \d+ms waited \d+ms \(cold start\)$/m);
  });
});

async function freePort(): Promise<number> {
  const { findFreePorts } = await import('../helpers/stack.js');
  return (await findFreePorts(1))[0]!;
}
