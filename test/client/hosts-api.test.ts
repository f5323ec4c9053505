import { describe, expect, it } from 'vitest';
import { HostsApi, splitQualified } from '../../src/client/hosts-api.js';
import type { DaemonApi } from '../../src/protocol/daemon-api.js';
import type { Push } from '../../src/protocol/messages.js';
import { FakeDaemon, service } from '../tui/fake-daemon.js';
import { waitFor } from '../helpers/wait.js';

/** A host whose daemon can be dropped and made unreachable, like a box behind a flaky link. */
function flakyHost(daemon: FakeDaemon) {
  const host = { reachable: true, dials: 0 };
  return {
    host,
    connect: async (): Promise<DaemonApi> => {
      host.dials++;
      if (!host.reachable) throw new Error('ssh: connect to host b port 22: Connection refused');
      return daemon;
    },
  };
}

describe('several hosts as one list (HostsApi)', () => {
  it('groups rows by host, sends each request to its own host, and keeps working while one host is unreachable', async () => {
    const a = new FakeDaemon([service('llama'), service('chat')]);
    const b = new FakeDaemon([service('llama', { pid: 77 })]);
    const flaky = flakyHost(b);
    const firstConnects: string[] = [];
    const hosts = new HostsApi([{ host: 'a', connect: async () => a }, { host: 'b', connect: flaky.connect }], 20, (host) => firstConnects.push(host));
    const pushes: Push[] = [];
    await hosts.subscribe((p) => pushes.push(p));
    await waitFor(async () => (await hosts.status()).length === 3, 'both hosts');
    expect((await hosts.status()).map((s) => `${s.box}|${s.name}|${s.state}`)).toEqual(['a|a/llama|ready', 'a|a/chat|ready', 'b|b/llama|ready']);
    expect(firstConnects).toEqual(['a', 'b']);

    const outcomes = await hosts.restart(['b/llama', 'a/chat'], true);
    expect(outcomes.map((o) => o.name).sort()).toEqual(['a/chat', 'b/llama']);
    expect(a.calls).toContainEqual(['restart', ['chat'], true]);
    expect(b.calls).toContainEqual(['restart', ['llama'], true]);
    expect(a.calls.some((c) => c[0] === 'restart' && (c[1] as string[]).includes('llama'))).toBe(false);
    b.logs.llama = ['srv  update_slots: all slots are idle'];
    expect((await hosts.logTail('b/llama', 5, null)).lines).toEqual(['srv  update_slots: all slots are idle']);

    // b drops, and stays unreachable for a while: its row says so; a answers as before.
    flaky.host.reachable = false;
    b.drop();
    // First a dropped link being re-dialled (not "unreachable"), then, once a redial fails, unreachable.
    expect(pushes.at(-1)).toMatchObject({ push: 'snapshot', services: expect.arrayContaining([expect.objectContaining({ box: 'b', state: 'starting', detail: 'link lost, reconnecting' })]) });
    await waitFor(async () => (await hosts.status()).some((s) => s.box === 'b' && s.detail === 'unreachable'), 'b unreachable');
    expect(pushes.at(-1)).toMatchObject({ push: 'snapshot' }); // the list learns at once, not at the next poll
    await waitFor(async () => /Connection refused/.test((await hosts.status()).find((s) => s.box === 'b')!.lastError ?? ''), "the redial's error");
    const rows = await hosts.status();
    expect(rows.filter((s) => s.box === 'a').map((s) => s.state)).toEqual(['ready', 'ready']);
    expect((await hosts.stop(['a/chat'], false))[0]!.ok).toBe(true);
    const refused = await hosts.restart(['b/llama'], true);
    expect(refused[0]).toMatchObject({ name: 'b/llama', ok: false });
    expect(refused[0]!.error).toMatch(/b is unreachable/);
    const info = await hosts.daemonInfo();
    expect(info.hosts).toEqual([
      { host: 'a', pid: 999, reachable: true, error: null, link: 'up' },
      { host: 'b', pid: null, reachable: false, error: expect.stringMatching(/Connection refused/), link: 'unreachable' },
    ]);
    const dialsWhileDown = flaky.host.dials;
    await waitFor(() => flaky.host.dials >= dialsWhileDown + 2, 'b to be dialled again, on its own');

    // b comes back: its rows return, and autostart is not run twice.
    flaky.host.reachable = true;
    await waitFor(async () => (await hosts.status()).some((s) => s.name === 'b/llama' && s.state === 'ready'), 'b back');
    expect(firstConnects).toEqual(['a', 'b']);
    expect(pushes.some((p) => p.push === 'snapshot' && p.services.some((s) => s.detail === 'unreachable'))).toBe(true);
    hosts.close();
  });

  it('an event from one host reaches the list under that host, named host/service', async () => {
    const a = new FakeDaemon([service('llama')]);
    const hosts = new HostsApi([{ host: 'gpu-1', connect: async () => a }], 20);
    const pushes: Push[] = [];
    await hosts.subscribe((p) => pushes.push(p));
    await waitFor(() => pushes.some((p) => p.push === 'snapshot' && p.services[0]?.name === 'gpu-1/llama'), 'the snapshot');
    a.push({ push: 'event', event: { type: 'state', time: '', service: 'llama', from: 'ready', to: 'crashed', status: service('llama', { state: 'crashed' }) } });
    const last = pushes.at(-1)!;
    expect(last.push === 'event' && last.event.service).toBe('gpu-1/llama');
    expect(last.push === 'event' && last.event.status.box).toBe('gpu-1');
    expect(splitQualified('user@gpu-1/llama')).toEqual({ host: 'user@gpu-1', name: 'llama' });
    hosts.close();
  });
});
