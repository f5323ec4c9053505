import fs from 'node:fs';
import http from 'node:http';
import net from 'node:net';
import parsePrometheusTextFormat from 'parse-prometheus-text-format';
import { afterEach, describe, expect, it } from 'vitest';
import { cleanupAll, findFreePorts, makeStack, threeServices, waitFor, type Stack } from '../helpers/stack.js';

afterEach(cleanupAll);

interface Reply {
  status: number;
  headers: http.IncomingHttpHeaders;
  body: string;
  json: () => any;
}

/** One HTTP request to the listener, as a browser or a script would send it. */
function request(port: number, path: string, options: { method?: string; headers?: Record<string, string>; body?: string } = {}): Promise<Reply> {
  return new Promise((resolve, reject) => {
    const req = http.request({ host: '127.0.0.1', port, path, method: options.method ?? 'GET', headers: { Host: `127.0.0.1:${port}`, ...options.headers } }, (res) => {
      let body = '';
      res.setEncoding('utf8');
      res.on('data', (c) => (body += c));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body, json: () => JSON.parse(body) }));
    });
    req.on('error', reject);
    req.end(options.body);
  });
}

interface EventStream {
  events: Array<{ event: string; data: any }>;
  comments: number;
  response: http.IncomingMessage;
  close(): void;
}

/** An SSE client: every event parsed as it comes, in order. */
function openEvents(port: number, path: string, headers: Record<string, string>): Promise<EventStream> {
  return new Promise((resolve, reject) => {
    const req = http.get({ host: '127.0.0.1', port, path, headers: { Host: `127.0.0.1:${port}`, Accept: 'text/event-stream', ...headers } }, (res) => {
      const stream: EventStream = { events: [], comments: 0, response: res, close: () => req.destroy() };
      let buffer = '';
      res.setEncoding('utf8');
      res.on('data', (chunk: string) => {
        buffer += chunk;
        let end: number;
        while ((end = buffer.indexOf('\n\n')) >= 0) {
          const block = buffer.slice(0, end);
          buffer = buffer.slice(end + 2);
          if (block.startsWith(':')) stream.comments++;
          const event = /^event: (.*)$/m.exec(block)?.[1];
          const data = /^data: (.*)$/m.exec(block)?.[1];
          if (event && data) stream.events.push({ event, data: JSON.parse(data) });
        }
      });
      resolve(stream);
    });
    req.on('error', reject);
  });
}

async function httpStack(extra = ''): Promise<{ stack: Stack; port: number; token: string; auth: Record<string, string> }> {
  const [port] = await findFreePorts(1);
  const stack = await makeStack(threeServices({ top: `http: { listen: "127.0.0.1:${port}"${extra} }` }));
  stack.env.LLAMA_TOP_SSE_HEARTBEAT_MS = '300';
  expect((await stack.cli(['start'])).exitCode).toBe(0);
  const info = JSON.parse((await stack.cli(['daemon', 'status', '--json'])).stdout);
  expect(info.http).toEqual({ url: `http://127.0.0.1:${port}/`, tokenFile: expect.stringMatching(/http\.token$/) });
  expect(fs.statSync(info.http.tokenFile).mode & 0o777).toBe(0o600);
  const token = fs.readFileSync(info.http.tokenFile, 'utf8').trim();
  return { stack, port: port!, token, auth: { Authorization: `Bearer ${token}` } };
}

describe('the HTTP API (http.listen)', () => {
  it('needs the token, checks Host, turns the token URL into an HttpOnly SameSite=Strict cookie, and refuses cookie-only changes from elsewhere', async () => {
    const { port, token, auth } = await httpStack();
    const none = await request(port, '/api/status');
    expect(none.status).toBe(401);
    expect(none.json().error.code).toBe('UNAUTHORIZED');
    expect(none.body).not.toMatch(/ollama|chat|test-stack|"llama"/); // nothing of the stack
    expect((await request(port, '/api/status', { headers: { Authorization: 'Bearer nope' } })).status).toBe(401);
    const page = await request(port, '/');
    expect(page.status).toBe(401);
    expect(page.body).toMatch(/needs its token/);
    expect(page.body).not.toMatch(/ollama|chat|test-stack|"llama"/);
    // DNS rebinding: a page of evil.example resolved to 127.0.0.1
    const rebound = await request(port, '/api/status', { headers: { ...auth, Host: `evil.example:${port}` } });
    expect(rebound.status).toBe(403);
    expect(rebound.json().error.code).toBe('FORBIDDEN_HOST');
    expect((await request(port, '/api/status', { headers: { ...auth, Host: `localhost:${port}` } })).status).toBe(200);

    const login = await request(port, `/?token=${token}`);
    expect(login.status).toBe(303);
    expect(login.headers.location).toBe('/');
    const cookie = login.headers['set-cookie']![0]!;
    expect(cookie).toMatch(/^llama_top_token=[0-9a-f]{64}; HttpOnly; SameSite=Strict; Path=\//);
    const jar = { Cookie: cookie.split(';')[0]! };
    expect((await request(port, '/api/status', { headers: jar })).status).toBe(200);
    expect((await request(port, '/', { headers: jar })).body).toMatch(/<script type="module" src="\/page\/app\.js">/);
    expect((await request(port, '/page/app.js', { headers: jar })).body).toMatch(/new EventSource\('\/api\/events'\)/);
    expect((await request(port, `/?token=${'0'.repeat(64)}`)).status).toBe(401);
    // a cookie alone from another origin (CSRF) changes nothing; from the page itself it does
    const csrf = await request(port, '/api/services/llama/restart?wait=0', { method: 'POST', headers: { ...jar, Origin: 'http://evil.example' } });
    expect(csrf.status).toBe(403);
    expect(csrf.json().error.code).toBe('FORBIDDEN_ORIGIN');
    expect((await request(port, '/api/services/llama/restart?wait=0', { method: 'POST', headers: jar })).status).toBe(403);
    expect((await request(port, '/api/services/llama/restart?wait=0', { method: 'POST', headers: { ...jar, Origin: `http://127.0.0.1:${port}` } })).status).toBe(200);
    // no CORS for origins the config does not list
    const cors = await request(port, '/api/status', { headers: { ...auth, Origin: 'http://localhost:3000' } });
    expect(cors.headers['access-control-allow-origin']).toBeUndefined();
  });

  it('CORS only for http.origins; a non-loopback listen address is a config error unless allowRemote', async () => {
    const { stack, port, auth } = await httpStack(', origins: ["http://localhost:3000"]');
    const preflight = await request(port, '/api/services/llama/restart', { method: 'OPTIONS', headers: { Origin: 'http://localhost:3000', 'Access-Control-Request-Method': 'POST' } });
    expect(preflight.status).toBe(204);
    expect(preflight.headers['access-control-allow-origin']).toBe('http://localhost:3000');
    expect(preflight.headers['access-control-allow-headers']).toMatch(/Authorization/);
    expect((await request(port, '/api/status', { headers: { ...auth, Origin: 'http://localhost:3000' } })).headers['access-control-allow-origin']).toBe('http://localhost:3000');
    fs.writeFileSync(stack.configFile, fs.readFileSync(stack.configFile, 'utf8').replace(/listen: "127\.0\.0\.1:(\d+)"/, 'listen: "0.0.0.0:$1"'));
    const refused = await stack.cli(['reload']);
    expect(refused.exitCode).toBe(2);
    expect(refused.stderr).toMatch(/llama-top\.yaml:\d+:\d+ http\.listen: 0\.0\.0\.0 is not a loopback address.*http\.allowRemote: true/);
  });

  it('status, actions, logs, models and errors as JSON: 404 unknown service, 405, 413, never a stack trace', async () => {
    const { stack, port, auth } = await httpStack();
    const status = (await request(port, '/api/status', { headers: auth })).json();
    const cli = JSON.parse((await stack.cli(['status', '--json'])).stdout);
    expect(status.services.map((s: any) => `${s.name}:${s.state}`)).toEqual(cli.services.map((s: any) => `${s.name}:${s.state}`));
    expect(status.problems).toEqual([]);

    const restarted = await request(port, '/api/services/llama/restart', { method: 'POST', headers: auth });
    expect(restarted.status).toBe(200);
    expect(restarted.json().results).toEqual([expect.objectContaining({ name: 'llama', ok: true, state: 'ready' })]);
    const stopped = (await request(port, '/api/services/ollama/stop', { method: 'POST', headers: auth })).json();
    expect(stopped.results[0]).toMatchObject({ name: 'ollama', ok: true, state: 'stopped' });
    expect((await request(port, '/api/services/ollama/start', { method: 'POST', headers: auth })).json().results[0]).toMatchObject({ ok: true, state: 'ready' });

    const logs = (await request(port, '/api/services/llama/logs?lines=5', { headers: auth })).json();
    expect(logs.service).toBe('llama');
    expect(logs.lines).toHaveLength(5);
    expect(logs.lines[0]).toEqual({ time: expect.stringMatching(/^\d{4}-\d\d-\d\dT/), line: expect.any(String) });
    const models = (await request(port, '/api/models', { headers: auth })).json();
    expect(models.services.map((m: any) => m.service ?? m.name)).toEqual(expect.arrayContaining(['llama', 'ollama']));

    const unknown = await request(port, '/api/services/nope/restart', { method: 'POST', headers: auth });
    expect(unknown.status).toBe(404);
    expect(unknown.json().error).toEqual({ code: 'UNKNOWN_SERVICE', message: expect.stringMatching(/nope/) });
    const wrongMethod = await request(port, '/api/services/llama/restart', { headers: auth });
    expect(wrongMethod.status).toBe(405);
    expect(wrongMethod.headers.allow).toBe('POST');
    const big = await request(port, '/api/backend/switch', { method: 'POST', headers: { ...auth, 'Content-Type': 'application/json' }, body: JSON.stringify({ name: 'x'.repeat(100_000) }) });
    expect(big.status).toBe(413);
    expect((await request(port, '/api/backend/switch', { method: 'POST', headers: auth, body: '[1,' })).status).toBe(400);
    const nowhere = await request(port, '/api/nothing', { headers: auth });
    expect(nowhere.status).toBe(404);
    for (const r of [unknown, wrongMethod, big, nowhere]) expect(r.body).not.toMatch(/\n\s+at |node:internal|\.js:\d+/);
    // Not waited for: still {"results": [{name, ok, state, error, elapsedMs}]}, in the state the request left it.
    const accepted = await request(port, '/api/services/llama/restart?wait=0', { method: 'POST', headers: auth });
    expect(accepted.status).toBe(200);
    expect(accepted.json()).toEqual({ results: [{ name: 'llama', ok: true, state: expect.stringMatching(/^(draining|stopping|starting|ready)$/), error: null, elapsedMs: 0 }] });
  });

  it('events: a snapshot of every service first, then each state change in order, with heartbeats; a client that stops reading holds up no one', async () => {
    const { port, auth } = await httpStack();
    const events = await openEvents(port, '/api/events', auth);
    await waitFor(() => events.events.length > 0, 'the snapshot');
    expect(events.events[0]!.event).toBe('snapshot');
    expect(events.events[0]!.data.services.map((s: any) => s.name)).toEqual(['llama', 'ollama', 'chat']);

    // A client that stops reading, following a flood of log lines.
    const stuck = await openEvents(port, '/api/services/chat/logs?lines=0&follow=1', auth);
    stuck.response.pause();
    (stuck.response.socket as net.Socket).pause();

    expect((await request(port, '/api/services/llama/restart', { method: 'POST', headers: auth })).status).toBe(200);
    await waitFor(() => events.events.some((e) => e.event === 'state' && e.data.service === 'llama' && e.data.to === 'ready'), 'llama ready again');
    const llama = events.events.filter((e) => e.event === 'state' && e.data.service === 'llama').map((e) => `${e.data.from}>${e.data.to}`);
    // A ready llama-server drains first (nothing in flight here), then stops.
    expect(llama.slice(0, 2)).toEqual(['ready>draining', 'draining>stopping']);
    expect(llama.at(-1)).toMatch(/>ready$/);
    for (let i = 1; i < llama.length; i++) expect(llama[i]!.split('>')[0]).toBe(llama[i - 1]!.split('>')[1]); // each from = the previous to
    await waitFor(() => events.comments >= 2, 'heartbeats');
    const started = Date.now();
    expect((await request(port, '/api/status', { headers: auth })).status).toBe(200);
    expect(Date.now() - started).toBeLessThan(2000);
    events.close();
    stuck.close();
  });

  it('log follow over SSE: the last lines, then each new one', async () => {
    const { port, auth } = await httpStack();
    const follow = await openEvents(port, '/api/services/llama/logs?lines=3&follow=1', auth);
    await waitFor(() => follow.events.length > 0, 'the last lines');
    expect(follow.events[0]).toMatchObject({ event: 'log', data: { service: 'llama' } });
    expect(follow.events[0]!.data.lines).toHaveLength(3);
    expect((await request(port, '/api/services/llama/restart', { method: 'POST', headers: auth })).status).toBe(200);
    await waitFor(() => follow.events.slice(1).some((e) => e.data.lines?.some((l: any) => /server is listening/.test(l.line))), 'the new start in the follow');
    follow.close();
  });

  it('/metrics: Prometheus text a parser reads, per service with service, kind and stack labels', async () => {
    const { stack, port, auth } = await httpStack();
    // CPU and memory come with the first tree sample after the start (within the 2 s metrics interval).
    await waitFor(async () => (await stack.status()).every((s) => s.memoryBytes !== null), 'the first CPU/memory sample');
    const res = await request(port, '/metrics', { headers: auth });
    expect(res.status).toBe(200);
    expect(res.headers['content-type']).toBe('text/plain; version=0.0.4; charset=utf-8');
    const families = parsePrometheusTextFormat(res.body) as Array<{ name: string; type: string; metrics: Array<{ value: string; labels: Record<string, string> }> }>;
    const family = (name: string) => families.find((f) => f.name === name) ?? expect.fail(`no ${name} in:\n${res.body}`);
    expect(family('llama_top_service_up').type).toBe('GAUGE');
    expect(family('llama_top_service_up').metrics.map((m) => [m.labels.service, m.labels.kind, m.labels.stack, m.value])).toEqual([
      ['llama', 'llama-server', 'test-stack', '1'],
      ['ollama', 'ollama', 'test-stack', '1'],
      ['chat', 'app', 'test-stack', '1'],
    ]);
    expect(family('llama_top_service_restarts_total').type).toBe('COUNTER');
    expect(Number(family('llama_top_service_memory_bytes').metrics[0]!.value)).toBeGreaterThan(1e6);
    expect(family('llama_top_service_cpu_seconds_total').type).toBe('COUNTER');
    const ready = family('llama_top_service_state').metrics.filter((m) => m.labels.state === 'ready');
    expect(ready.map((m) => m.value)).toEqual(['1', '1', '1']);
    expect(family('llama_top_llm_slots_total').metrics.map((m) => m.labels.service)).toEqual(['llama']);
    expect((await request(port, '/metrics')).status).toBe(401);
  });

  it('caps the event streams: the one past the cap gets 503, and closing one frees its place', async () => {
    const { port, auth } = await httpStack();
    const open: EventStream[] = [];
    for (let i = 0; i < 64; i++) open.push(await openEvents(port, '/api/events', auth));
    const over = await request(port, '/api/events', { headers: auth });
    expect(over.status).toBe(503);
    expect(over.json().error.code).toBe('TOO_MANY_STREAMS');
    open.pop()!.close();
    await waitFor(async () => (await openEvents(port, '/api/events', auth).then((s) => (open.push(s), s.response.statusCode))) === 200, 'a freed place');
    for (const s of open) s.close();
  });
});
