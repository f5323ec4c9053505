import net from 'node:net';
import path from 'node:path';
import { execa } from 'execa';
import { afterEach, describe, expect, it } from 'vitest';
import { HttpApi } from '../../src/daemon/http-api.js';
import { GUARD_LIMITS } from '../../src/daemon/http-guard.js';
import { findFreePorts, NODE, ROOT } from '../helpers/stack.js';
import { waitFor } from '../helpers/wait.js';

const TOKEN = 'c'.repeat(64);
let api: HttpApi | null = null;
afterEach(async () => {
  await api?.close();
  api = null;
});

const daemon = { stack: () => 't', handle: async () => ({ services: [], problems: [] }), attach: () => undefined, detach: () => undefined };

describe('the HTTP listener against a slowloris', () => {
  it('closes a connection that has not shown the token within the header deadline (not at Node\'s 30 s sweep)', async () => {
    const [port] = await findFreePorts(1);
    api = new HttpApi({ host: '127.0.0.1', port: port!, allowRemote: false, origins: [] }, TOKEN, daemon);
    await api.listen();
    const socket = net.connect(port!, '127.0.0.1');
    socket.on('error', () => undefined);
    const head = 'GET /api/status HTTP/1.1\r\nHost: x\r\n';
    let sent = 0;
    const trickle = setInterval(() => socket.write(head[sent++ % head.length]!), 500);
    const started = Date.now();
    try {
      await waitFor(() => socket.destroyed || socket.readableEnded, 'the trickling connection to be closed', 20_000);
    } finally {
      clearInterval(trickle);
      socket.destroy();
    }
    const seconds = (Date.now() - started) / 1000;
    expect(seconds).toBeGreaterThanOrEqual(GUARD_LIMITS.headerDeadlineMs / 1000 - 0.5);
    expect(seconds).toBeLessThan(GUARD_LIMITS.headerDeadlineMs / 1000 + 5);
    expect(api.guard.expired).toBe(1);
  });

  it('150 connections trickling header bytes (and reconnecting): every authorised request still succeeds', async () => {
    // The bench runs the built listener: 150 token-less connections, a header byte each every second, reconnecting
    // when dropped; an authorised GET /api/status every 200 ms for 10 s. Before the guard: 0 of 91 succeeded.
    const run = await execa(NODE, [path.join(ROOT, 'bench', 'slowloris.mjs'), path.join(ROOT, 'dist'), '10', '150', '1000'], { reject: false, timeout: 60_000 });
    expect(run.exitCode, run.stderr).toBe(0);
    const result = JSON.parse(String(run.stdout).trim().split('\n').at(-1)!);
    expect(result.authorised.total).toBeGreaterThan(10);
    expect(result.authorised.outcomes).toEqual({ ok: result.authorised.total });
    expect(result.guard.evicted + result.guard.expired).toBeGreaterThan(0); // the attack did press on the bounds
  }, 90_000);
});
