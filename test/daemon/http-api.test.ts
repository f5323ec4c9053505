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
