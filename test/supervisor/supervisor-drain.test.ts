import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { parseConfigText } from '../../src/config/load.js';
import type { DrainSource } from '../../src/supervisor/drain-source.js';
import { Supervisor } from '../../src/supervisor/supervisor.js';
import { findFreePorts, fixture, NODE, TINY_GGUF, waitFor } from '../helpers/stack.js';

/** What the serve endpoint registers: its count of requests in flight per service, and their cut. */
class EndpointCount implements DrainSource {
  private readonly counts = new Map<string, number>();
  readonly cuts: string[] = [];
  private readonly listeners = new Set<(service: string) => void>();
  inFlight = (service: string) => this.counts.get(service) ?? 0;
  cut(service: string): void {
    this.cuts.push(service);
    this.set(service, 0);
  }
  onChange(listener: (service: string) => void): () => void {
    this.listeners.add(listener);
    return () => void this.listeners.delete(listener);
  }
  set(service: string, n: number): void {
    this.counts.set(service, n);
    for (const l of this.listeners) l(service);
  }
}

const supervisors: Supervisor[] = [];
afterEach(async () => {
  for (const s of supervisors.splice(0)) {
    await s.stop([], true);
    s.dispose();
  }
});

async function readyLlama(drainTimeout = '30s'): Promise<Supervisor> {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'lt-drain-'));
  const [port, appPort] = await findFreePorts(2);
  const yaml = `services:
  llama:
    kind: llama-server
    command: [${JSON.stringify(NODE)}, ${JSON.stringify(fixture('fake-llama-server.mjs'))}]
    model: ${JSON.stringify(TINY_GGUF)}
    port: ${port}
    drainTimeout: ${drainTimeout}
    health: { inference: false }
  app:
    kind: app
    command: [${JSON.stringify(NODE)}, ${JSON.stringify(fixture('fake-chat-app.mjs'))}]
    port: ${appPort}
    drainTimeout: 30s
`;
  const config = parseConfigText(yaml, path.join(dir, 'llama-top.yaml'), () => path.join(dir, 'logs'));
  const supervisor = new Supervisor(config);
  supervisors.push(supervisor);
  const outcomes = await supervisor.start(['llama', 'app']);
  expect(outcomes.every((o) => o.ok), JSON.stringify(outcomes)).toBe(true);
  return supervisor;
}

const llama = (sup: Supervisor) => sup.status('llama')[0]!;

describe('the drain seam (Supervisor.addDrainSource, stop options), in-process against the llama-server fixture', () => {
  it('a stop waits for the requests a drain source counts, and ends once it says none is left; the state says draining meanwhile', async () => {
    const sup = await readyLlama();
    const endpoint = new EndpointCount();
    sup.addDrainSource(endpoint);
    endpoint.set('llama', 2);
    const stopped = sup.stop(['llama'], false, { reason: 'idle 10m' });
    await waitFor(() => llama(sup).state === 'draining' && llama(sup).drain?.inFlight === 2, 'draining with 2 in flight');
    endpoint.set('llama', 1);
    await waitFor(() => llama(sup).drain?.inFlight === 1, 'the count going down');
    expect(llama(sup).pid).not.toBeNull();
    endpoint.set('llama', 0);
    const [outcome] = await stopped;
    expect(outcome).toMatchObject({ name: 'llama', ok: true, state: 'stopped' });
    expect(endpoint.cuts).toEqual([]);
    // Stopped on purpose: the reason, which the status shows instead of an error.
    expect(llama(sup)).toMatchObject({ state: 'stopped', stopReason: 'idle 10m', drain: null });
  });

  it('drainTimeout calls cut() on every source, then stops', async () => {
    const sup = await readyLlama('500ms');
    const endpoint = new EndpointCount();
    const other = new EndpointCount();
    sup.addDrainSource(endpoint);
    sup.addDrainSource(other);
    endpoint.set('llama', 1);
    const [outcome] = await sup.stop(['llama'], false);
    expect(outcome).toMatchObject({ ok: true, state: 'stopped' });
    expect(outcome!.elapsedMs).toBeGreaterThanOrEqual(500);
    expect(endpoint.cuts).toEqual(['llama']);
    expect(other.cuts).toEqual(['llama']);
  });

  it('now, force, an app, and an unregistered source: no wait', async () => {
    const sup = await readyLlama();
    const endpoint = new EndpointCount();
    const remove = sup.addDrainSource(endpoint);
    endpoint.set('llama', 1);
    endpoint.set('app', 1);
    const [app] = await sup.stop(['app'], false); // an app has no requests to drain: its kind says so
    expect(app).toMatchObject({ ok: true, state: 'stopped' });
    const [now] = await sup.stop(['llama'], false, { now: true });
    expect(now).toMatchObject({ ok: true, state: 'stopped' });
    await sup.start(['llama']);
    const [forced] = await sup.stop(['llama'], true);
    expect(forced).toMatchObject({ ok: true, state: 'stopped' });
    await sup.start(['llama']);
    remove();
    const [plain] = await sup.stop(['llama'], false);
    expect(plain).toMatchObject({ ok: true, state: 'stopped' });
    expect(endpoint.cuts).toEqual([]);
  });

  it('a start while it drains calls the stop off: the same server, ready, its requests never cut', async () => {
    const sup = await readyLlama();
    const endpoint = new EndpointCount();
    sup.addDrainSource(endpoint);
    const pid = llama(sup).pid;
    endpoint.set('llama', 1);
    const stopping = sup.stop(['llama'], false, { reason: 'idle 10m' });
    await waitFor(() => llama(sup).state === 'draining', 'draining');
    const [started] = await sup.start(['llama']);
    expect(started).toMatchObject({ ok: true, state: 'ready' });
    const [stopped] = await stopping;
    expect(stopped).toMatchObject({ ok: false, state: 'ready', error: 'started again while it drained: not stopped' });
    expect(llama(sup)).toMatchObject({ state: 'ready', pid, stopReason: null, drain: null });
    expect(endpoint.cuts).toEqual([]);
  });

  it('a restart drains too, and the restarted server comes back ready', async () => {
    const sup = await readyLlama();
    const endpoint = new EndpointCount();
    sup.addDrainSource(endpoint);
    const before = llama(sup).pid;
    endpoint.set('llama', 1);
    const restarted = sup.start(['llama'], 'restart');
    await waitFor(() => llama(sup).state === 'draining' && llama(sup).drain?.inFlight === 1, 'draining for the restart');
    endpoint.set('llama', 0);
    const [outcome] = await restarted;
    expect(outcome).toMatchObject({ ok: true, state: 'ready' });
    expect(llama(sup).pid).not.toBe(before);
    expect(llama(sup).stopReason).toBeNull();
  });
});
