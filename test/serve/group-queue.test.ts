import { describe, expect, it } from 'vitest';
import { GroupQueue } from '../../src/serve/group-queue.js';
import { ClientLeft } from '../../src/serve/readiness.js';

/** An activation the test finishes by hand: which services were activated, in order. */
function controlled() {
  const calls: string[] = [];
  const pending: Array<{ service: string; done: (ok: boolean) => void }> = [];
  const activate = (service: string) =>
    new Promise<{ coldStart: boolean }>((resolve, reject) => {
      calls.push(service);
      pending.push({ service, done: (ok) => (ok ? resolve({ coldStart: true }) : reject(new Error(`${service} failed`))) });
    });
  return { calls, pending, activate };
}

const tick = () => new Promise((r) => setImmediate(r));

describe('serve: GroupQueue', () => {
  it('activates once for every request waiting for the same service; only the first is its cold start', async () => {
    const c = controlled();
    const q = new GroupQueue('gpu0', c.activate);
    const signal = new AbortController().signal;
    const all = Promise.all([q.enter('beta', signal), q.enter('beta', signal), q.enter('beta', signal)]);
    await tick();
    expect(q.depth).toBe(3);
    expect(q.waitingFor('beta')).toBe(3);
    c.pending.shift()!.done(true);
    expect(await all).toEqual([true, false, false]);
    expect(c.calls).toEqual(['beta']);
    expect(q.depth).toBe(0);
  });

  it('serves the services in arrival order, all waiters of the head at once', async () => {
    const c = controlled();
    const q = new GroupQueue('gpu0', c.activate);
    const signal = new AbortController().signal;
    const order: string[] = [];
    const enter = (s: string, tag: string) => q.enter(s, signal).then(() => order.push(tag));
    const all = Promise.all([enter('beta', 'b1'), enter('alpha', 'a1'), enter('beta', 'b2')]);
    await tick();
    c.pending.shift()!.done(true);
    await tick();
    expect(order).toEqual(['b1', 'b2']);
    expect(c.calls).toEqual(['beta', 'alpha']);
    c.pending.shift()!.done(true);
    await all;
    expect(order).toEqual(['b1', 'b2', 'a1']);
  });

  it('a failed activation rejects every request waiting for that service, and the queue goes on', async () => {
    const c = controlled();
    const q = new GroupQueue('gpu0', c.activate);
    const signal = new AbortController().signal;
    const failing = [q.enter('beta', signal), q.enter('beta', signal)].map((p) => p.then(() => 'ok', (e: Error) => e.message));
    const next = q.enter('alpha', signal);
    await tick();
    c.pending.shift()!.done(false);
    expect(await Promise.all(failing)).toEqual(['beta failed', 'beta failed']);
    await tick();
    c.pending.shift()!.done(true);
    expect(await next).toBe(true);
  });

  it('a client that leaves while it waits leaves the queue', async () => {
    const c = controlled();
    const q = new GroupQueue('gpu0', c.activate);
    const leave = new AbortController();
    const waiting = q.enter('beta', leave.signal).catch((e) => e);
    const stays = q.enter('beta', new AbortController().signal);
    await tick();
    leave.abort();
    expect(await waiting).toBeInstanceOf(ClientLeft);
    expect(q.waitingFor('beta')).toBe(1);
    c.pending.shift()!.done(true);
    // The start is counted once, on the request that got its answer.
    expect(await stays).toBe(true);
  });
});
