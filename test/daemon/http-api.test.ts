import net from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { HttpApi } from '../../src/daemon/http-api.js';
import type { Subscriber } from '../../src/daemon/server.js';
import type { Request } from '../../src/protocol/messages.js';
import { findFreePorts } from '../helpers/stack.js';
import { waitFor } from '../helpers/wait.js';

const TOKEN = 'a'.repeat(64);
let api: HttpApi | null = null;
afterEach(async () => {
  await api?.close();
  api = null;
});

/** A daemon that floods every log follower with lines, as fast as it is let. */
function floodingDaemon(subscribers: Set<Subscriber>) {
  return {
    stack: () => 'test',
    async handle(request: Request, subscriber: Subscriber) {
      if (request.type === 'logs') return { logs: [{ service: 'flood', dir: '/d', lines: [] }] };
      if (request.type === 'status') return { services: [], problems: [] };
      if (request.type === 'logs-follow') {
        const line = { text: 'x'.repeat(1000), at: null };
        const timer = setInterval(() => subscriber.send({ push: 'log', service: 'flood', lines: Array.from({ length: 100 }, () => line) }), 1);
        subscriber.onClose.push(() => clearInterval(timer));
      }
      return null;
    },
    attach: (s: Subscriber) => subscribers.add(s),
    detach: (s: Subscriber) => {
      subscribers.delete(s);
      for (const done of s.onClose.splice(0)) done();
    },
  };
}

describe('HttpApi event streams', () => {
  it('drops a client that stops reading once 1 MB is unread, and stops what fed it; the API answers meanwhile', async () => {
    const [port] = await findFreePorts(1);
    const subscribers = new Set<Subscriber>();
    api = new HttpApi({ host: '127.0.0.1', port: port!, allowRemote: false, origins: [] }, TOKEN, floodingDaemon(subscribers));
    await api.listen();
    // A raw client that sends the request and never reads a byte of the answer.
    const stuck = net.connect(port!, '127.0.0.1');
    stuck.pause();
    let closed = false;
    stuck.on('close', () => (closed = true));
    stuck.on('error', () => undefined);
    stuck.write(`GET /api/services/flood/logs?lines=0&follow=1 HTTP/1.1\r\nHost: 127.0.0.1:${port}\r\nAuthorization: Bearer ${TOKEN}\r\n\r\n`);
    await waitFor(() => subscribers.size === 1, 'the follower attached');
    await waitFor(() => closed || subscribers.size === 0, 'the stuck client to be dropped', 20_000);
    expect(subscribers.size).toBe(0); // detached: the daemon no longer feeds it
    const started = Date.now();
    const res = await fetch(`http://127.0.0.1:${port}/api/status`, { headers: { Authorization: `Bearer ${TOKEN}` } });
    expect(res.status).toBe(200);
    expect(Date.now() - started).toBeLessThan(1000);
    stuck.destroy();
  });
});

/** A daemon that knows one service, "llama", and answers a start or restart not waited for as the real one does. */
function oneServiceDaemon() {
  return {
    stack: () => 'test',
    async handle(request: Request) {
      if (request.type === 'status') return { services: [{ name: 'llama', state: 'starting' }], problems: [] };
      if (request.type === 'restart' || request.type === 'start') return { results: [] };
      return null;
    },
    attach: () => undefined,
    detach: () => undefined,
  };
}

/** One request on a raw socket (header bytes exactly as given, latin1): the answer's status. */
function rawRequest(port: number, head: string): Promise<{ status: number }> {
  return new Promise((resolve, reject) => {
    const socket = net.connect(port, '127.0.0.1');
    let received = '';
    socket.on('data', (chunk) => (received += chunk.toString('utf8')));
    socket.on('error', reject);
    socket.on('end', () => resolve({ status: Number(/^HTTP\/1\.1 (\d+)/.exec(received)?.[1]) }));
    socket.write(Buffer.from(`${head}Host: 127.0.0.1:${port}\r\nConnection: close\r\n\r\n`, 'latin1'));
  });
}

describe('HttpApi answers hostile requests with 4xx, never 500', () => {
  it('401 for a token of the right length in characters but not in bytes (header, query and cookie)', async () => {
    const [port] = await findFreePorts(1);
    api = new HttpApi({ host: '127.0.0.1', port: port!, allowRemote: false, origins: [] }, TOKEN, oneServiceDaemon());
    await api.listen();
    const accented = `é${'a'.repeat(63)}`; // 64 characters, 65 bytes in UTF-8
    expect((await rawRequest(port!, `GET /api/status HTTP/1.1\r\nAuthorization: Bearer ${accented}\r\n`)).status).toBe(401);
    expect((await rawRequest(port!, `GET /api/events?token=${encodeURIComponent(accented)} HTTP/1.1\r\n`)).status).toBe(401);
    expect((await rawRequest(port!, `GET /?token=${encodeURIComponent(accented)} HTTP/1.1\r\n`)).status).toBe(401);
    expect((await rawRequest(port!, `GET /api/status HTTP/1.1\r\nCookie: llama_top_token=${accented}\r\n`)).status).toBe(401);
    expect((await rawRequest(port!, `GET /api/status HTTP/1.1\r\nAuthorization: Bearer ${TOKEN}\r\n`)).status).toBe(200);
  });

  it('400 naming the path for a malformed percent-escape', async () => {
    const [port] = await findFreePorts(1);
    api = new HttpApi({ host: '127.0.0.1', port: port!, allowRemote: false, origins: [] }, TOKEN, oneServiceDaemon());
    await api.listen();
    const bad = await fetch(`http://127.0.0.1:${port}/api/services/%E0%A4%A/restart`, { method: 'POST', headers: { Authorization: `Bearer ${TOKEN}` } });
    expect(bad.status).toBe(400);
    expect(await bad.json()).toEqual({ error: { code: 'BAD_REQUEST', message: '/api/services/%E0%A4%A/restart: a malformed percent-escape' } });
  });

  it('POST …/restart?wait=0 answers {"results": [{name, ok, state, error, elapsedMs}]}', async () => {
    const [port] = await findFreePorts(1);
    api = new HttpApi({ host: '127.0.0.1', port: port!, allowRemote: false, origins: [] }, TOKEN, oneServiceDaemon());
    await api.listen();
    const res = await fetch(`http://127.0.0.1:${port}/api/services/llama/restart?wait=0`, { method: 'POST', headers: { Authorization: `Bearer ${TOKEN}` } });
    expect(res.status).toBe(200);
    expect(await res.json()).toEqual({ results: [{ name: 'llama', ok: true, state: 'starting', error: null, elapsedMs: 0 }] });
  });
});
