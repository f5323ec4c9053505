import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import type { Lease } from '../../src/serve/contract.js';
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
async function front(upstreamPort: number, cut = new AbortController()) {
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
    req.on('end', () => void forward(lease, req, res, Buffer.concat(chunks), undefined, { dropAuthorization: true }));
  });
  return { url: `http://127.0.0.1:${port}/v1/chat/completions`, cut };
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
