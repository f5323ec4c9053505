import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import type { Lease, ServeOutcome } from '../../src/serve/contract.js';
import { CutError } from '../../src/serve/cut-reason.js';
import { forward } from '../../src/serve/forward.js';
import { waitFor } from '../helpers/wait.js';

const servers: http.Server[] = [];
afterEach(async () => {
  for (const s of servers.splice(0)) {
    s.closeAllConnections();
    await new Promise((resolve) => s.close(resolve));
  }
});

async function listen(handler: http.RequestListener): Promise<{ server: http.Server; port: number }> {
  const server = http.createServer(handler);
  servers.push(server);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return { server, port: (server.address() as AddressInfo).port };
}

/** A front server that forwards every request to `upstreamPort` under a lease whose signal the test controls. */
async function front(upstreamPort: number, cut = new AbortController(), outcomes: ServeOutcome[] = []) {
  const lease: Lease = {
    upstream: { service: 'alpha', kind: 'llama-server', host: '127.0.0.1', port: upstreamPort },
    model: { name: 'alpha', service: 'alpha', kind: 'llama-server', state: 'ready', file: null },
    waitedMs: 0,
    coldStart: false,
    signal: cut.signal,
    release: () => undefined,
  };
  const { port } = await listen((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => void forward(lease, req, res, Buffer.concat(chunks), undefined, { dropAuthorization: true }).then((o) => outcomes.push(o)));
  });
  return { url: `http://127.0.0.1:${port}/v1/chat/completions`, cut, outcomes };
}

describe('forwarding to a model server', () => {
  it('sends each request on a connection of its own and keeps none open (kept ones stall 40 ms on delayed ACKs; an idle one holds an HTTP thread of llama-server)', async () => {
    const open = new Set<unknown>();
    const seen: { socket: unknown; connection: string | undefined }[] = [];
    const { server, port } = await listen((req, res) => {
      seen.push({ socket: req.socket, connection: req.headers.connection });
      req.resume();
      req.on('end', () => res.end('{"ok":true}'));
    });
    server.keepAliveTimeout = 120_000; // it would keep idle connections: only the client side can free them
    server.on('connection', (socket) => {
      open.add(socket);
      socket.on('close', () => open.delete(socket));
    });
    const { url } = await front(port);
    // One after another on one kept client connection, then a burst.
    for (let i = 0; i < 3; i++) expect((await fetch(url, { method: 'POST', body: '{"model":"alpha"}' })).status).toBe(200);
    const answers = await Promise.all(Array.from({ length: 12 }, () => fetch(url, { method: 'POST', body: '{"model":"alpha"}' }).then((r) => r.status)));
    expect(answers).toEqual(Array(12).fill(200));
    expect(seen).toHaveLength(15);
    expect(new Set(seen.map((s) => s.socket)).size).toBe(15);
    expect(seen.every((s) => s.connection === 'close')).toBe(true);
    await waitFor(() => open.size === 0, 'every upstream connection to be closed');
  });

  it('does not pass on the server\'s CORS headers (llama-server echoes any Origin)', async () => {
    const { port } = await listen((req, res) => {
      req.resume();
      res.setHeader('access-control-allow-origin', req.headers.origin ?? '*');
      res.end('{}');
    });
    const { url } = await front(port);
    const res = await fetch(url, { method: 'POST', body: '{"model":"alpha"}', headers: { origin: 'http://evil.example' } });
    expect(res.status).toBe(200);
    expect(res.headers.get('access-control-allow-origin')).toBeNull();
  });

  it('a request cut before its answer began gets a 503 it can read, not a reset connection', async () => {
    let arrived = false;
    const { port } = await listen((req) => {
      req.resume();
      arrived = true; // and never answers
    });
    const { url, cut } = await front(port);
    const pending = fetch(url, { method: 'POST', body: '{"model":"alpha"}' });
    await waitFor(() => arrived, 'the request to reach the server');
    cut.abort();
    const res = await pending;
    expect(res.status).toBe(503);
    expect((await res.json()).error).toMatchObject({ type: 'server_error', code: 'service_stopped' });
  });
});

/** An upstream that streams SSE events (one now, one every 50 ms) and never ends; `sockets` are its connections. */
async function endlessStream() {
  const sockets: import('node:net').Socket[] = [];
  const { port } = await listen((req, res) => {
    req.resume();
    sockets.push(req.socket);
    res.writeHead(200, { 'content-type': 'text/event-stream' });
    const event = () => res.write(`data: ${JSON.stringify({ object: 'chat.completion.chunk', choices: [{ delta: { content: 'x' } }] })}\n\n`);
    event();
    const timer = setInterval(event, 50);
    res.on('close', () => clearInterval(timer));
  });
  return { port, sockets };
}

/** Reads an SSE answer until it ends: its `data:` payloads; `first` resolves once the first event came. */
function events(res: Response): { first: Promise<void>; all: Promise<string[]> } {
  let seen: () => void = () => undefined;
  const first = new Promise<void>((resolve) => (seen = resolve));
  const all = (async () => {
    const reader = res.body!.getReader();
    const decoder = new TextDecoder();
    let text = '';
    for (;;) {
      const { done, value } = await reader.read();
      if (done) break;
      text += decoder.decode(value, { stream: true });
      if (text.includes('\n\n')) seen();
    }
    return text.split('\n\n').filter((e) => e.startsWith('data: ')).map((e) => e.slice(6));
  })();
  return { first, all };
}

describe('a streamed answer cut after it began', () => {
  it('ends with an error event saying why (the lease was cut: stop --now), counted as the cut', async () => {
    const { port } = await endlessStream();
    const { url, cut, outcomes } = await front(port);
    const res = await fetch(url, { method: 'POST', body: '{"model":"alpha","stream":true}' });
    expect(res.status).toBe(200);
    const reading = events(res);
    await reading.first;
    cut.abort(new CutError({ kind: 'now', service: 'alpha' }));
    const data = await reading.all;
    expect(data.length).toBeGreaterThanOrEqual(2);
    expect(JSON.parse(data.at(-1)!)).toEqual({ error: { message: 'cut: stop --now', type: 'server_error', code: 'service_stopped' } });
    expect(data.slice(0, -1).every((d) => JSON.parse(d).object === 'chat.completion.chunk')).toBe(true);
    await waitFor(() => outcomes.length === 1, 'the outcome');
    expect(outcomes[0]).toMatchObject({ status: 503, note: 'cut: stop --now' });
  });

  it("a server that died says so: the reason comes from the lease's cut a moment after the socket closed", async () => {
    const { port, sockets } = await endlessStream();
    const { url, cut, outcomes } = await front(port);
    const res = await fetch(url, { method: 'POST', body: '{"model":"alpha","stream":true}' });
    const reading = events(res);
    await reading.first;
    await waitFor(() => sockets.length === 1, 'the upstream connection');
    sockets[0]!.destroy(); // the server's process is gone: its socket closes first
    setTimeout(() => cut.abort(new CutError({ kind: 'exited', service: 'alpha', code: null, signal: 'SIGKILL' })), 100);
    const data = await reading.all;
    expect(JSON.parse(data.at(-1)!)).toEqual({ error: { message: 'alpha exited (killed by SIGKILL)', type: 'server_error', code: 'server_exited' } });
    await waitFor(() => outcomes.length === 1, 'the outcome');
    expect(outcomes[0]).toMatchObject({ status: 502, note: 'alpha exited (killed by SIGKILL)' });
  });

  it('a connection that broke with no cut behind it still ends with an error event, not silence', async () => {
    const { port, sockets } = await endlessStream();
    const { url, outcomes } = await front(port);
    const res = await fetch(url, { method: 'POST', body: '{"model":"alpha","stream":true}' });
    const reading = events(res);
    await reading.first;
    await waitFor(() => sockets.length === 1, 'the upstream connection');
    sockets[0]!.destroy();
    const data = await reading.all;
    expect(JSON.parse(data.at(-1)!).error).toMatchObject({ type: 'server_error', code: 'upstream_error', message: expect.stringMatching(/^alpha closed the connection mid-answer/) });
    await waitFor(() => outcomes.length === 1, 'the outcome');
    expect(outcomes[0]!.status).toBe(502);
  });
});
