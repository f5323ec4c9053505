import { describe, expect, it } from 'vitest';
import { initialRuntime, transition, type Effect, type MachineConfig, type MachineEvent, type ServiceRuntime } from '../../src/supervisor/machine.js';
import { deriveEvents } from '../../src/supervisor/stack-events.js';

const llm: MachineConfig = {
  restart: { maxRetries: 5, backoffMs: 1000, maxBackoffMs: 16_000, resetAfterMs: 60_000, onUnhealthy: true },
  startTimeoutMs: 120_000,
  failureThreshold: 3,
  drainTimeoutMs: 30_000,
};
/** An app or a process: nothing to drain. */
const app: MachineConfig = { ...llm, drainTimeoutMs: null };

function run(events: MachineEvent[], from: ServiceRuntime = initialRuntime(), cfg = llm) {
  let state = from;
  const effects: Effect[] = [];
  for (const e of events) {
    const t = transition(state, e, cfg);
    state = t.state;
    effects.push(...t.effects);
  }
  return { state, effects };
}

const readyServer = (cfg = llm) =>
  run([{ type: 'start' }, { type: 'spawned', pid: 100, startTicks: 5, logDir: '/l', at: 0 }, { type: 'probe', result: 'ok', at: 10 }], initialRuntime(), cfg).state;
const stop = (extra: Partial<Extract<MachineEvent, { type: 'stop' }>> = {}): MachineEvent => ({ type: 'stop', force: false, at: 1000, ...extra });
const inFlight = (count: number): MachineEvent => ({ type: 'in-flight', count, at: 1100 });
const stopEffect = (effects: Effect[]) => effects.filter((e) => e.type === 'stop');

describe('drain before a stop', () => {
  it('a stop of a ready LLM server drains first: draining, the drain watch, the drainTimeout timer, no signal yet', () => {
    const { state, effects } = run([stop()], readyServer());
    expect(state).toMatchObject({ phase: 'draining', pid: 100, drainInFlight: null, drainCutAt: 31_000, then: null });
    expect(effects).toContainEqual({ type: 'drain' });
    expect(effects).toContainEqual({ type: 'set-timer', name: 'drain-timeout', ms: 30_000 });
    expect(stopEffect(effects)).toEqual([]);
  });

  it('counts in flight are kept; 0 ends the drain and the stop goes on', () => {
    const s = run([stop(), inFlight(2), inFlight(1)], readyServer());
    expect(s.state).toMatchObject({ phase: 'draining', drainInFlight: 1 });
    expect(stopEffect(s.effects)).toEqual([]);
    const done = run([inFlight(0)], s.state);
    expect(done.state).toMatchObject({ phase: 'stopping', drainInFlight: null, drainCutAt: null });
    expect(done.effects).toEqual([{ type: 'clear-timer', name: 'drain-timeout' }, { type: 'stop', force: false }]);
    expect(run([{ type: 'stopped', at: 2000 }], done.state).state).toMatchObject({ phase: 'stopped', pid: null });
  });

  it('drainTimeout cuts what is in flight, then stops', () => {
    const s = run([stop(), inFlight(3)], readyServer()).state;
    const { state, effects } = run([{ type: 'timer', name: 'drain-timeout', at: 31_000 }], s);
    expect(state.phase).toBe('stopping');
    expect(effects).toEqual([{ type: 'clear-timer', name: 'drain-timeout' }, { type: 'cut', why: 'timeout', inFlight: 3 }, { type: 'stop', force: false }]);
  });

  it('stop --now, a forced stop, an app and a server not ready yet skip the drain', () => {
    for (const [name, from, event, cfg] of [
      ['--now', readyServer(), stop({ now: true }), llm],
      ['force', readyServer(), stop({ force: true }), llm],
      ['app', readyServer(app), stop(), app],
      ['starting', run([{ type: 'start' }, { type: 'spawned', pid: 100, startTicks: 5, logDir: '/l', at: 0 }]).state, stop(), llm],
    ] as const) {
      const { state, effects } = run([event], from, cfg);
      expect(state.phase, name).toBe('stopping');
      expect(effects.some((e) => e.type === 'drain'), name).toBe(false);
      expect(stopEffect(effects), name).toHaveLength(1);
    }
  });

  it('a stop --now or a kill during a drain cuts at once', () => {
    const s = run([stop(), inFlight(1)], readyServer()).state;
    const now = run([stop({ now: true })], s);
    expect(now.state.phase).toBe('stopping');
    expect(now.effects).toEqual([{ type: 'clear-timer', name: 'drain-timeout' }, { type: 'cut', why: 'now', inFlight: 1 }, { type: 'stop', force: false }]);
    expect(stopEffect(run([stop({ force: true })], s).effects)).toEqual([{ type: 'stop', force: true }]);
  });

  it('a second plain stop during a drain changes nothing but the reason', () => {
    const s = run([stop(), inFlight(1)], readyServer()).state;
    const { state, effects } = run([stop({ reason: 'idle 10m' })], s);
    expect(state).toMatchObject({ phase: 'draining', drainInFlight: 1, stopReason: 'idle 10m' });
    expect(effects).toEqual([]);
  });

  it('a restart drains, then starts again; restart --now does not wait', () => {
    const r = run([{ type: 'restart', at: 1000 }], readyServer());
    expect(r.state).toMatchObject({ phase: 'draining', detail: 'restarting', then: 'start' });
    const after = run([inFlight(0), { type: 'stopped', at: 2000 }], r.state);
    expect(after.state.phase).toBe('starting');
    expect(after.effects).toContainEqual({ type: 'spawn' });
    const now = run([{ type: 'restart', now: true, at: 1000 }], readyServer());
    expect(now.state).toMatchObject({ phase: 'stopping', then: 'start' });
    expect(now.effects.some((e) => e.type === 'drain')).toBe(false);
  });

  it('a start during a stop\'s drain calls the stop off (same pid, ready); a stop during a restart\'s drain cancels the start', () => {
    const stopping = run([stop({ reason: 'idle 10m' }), inFlight(1)], readyServer()).state;
    const wanted = run([{ type: 'start' }], stopping);
    expect(wanted.state).toMatchObject({ phase: 'ready', pid: 100, then: null, stopReason: null, drainInFlight: null, drainCutAt: null });
    expect(wanted.effects).toEqual([{ type: 'clear-timer', name: 'drain-timeout' }, { type: 'set-timer', name: 'stable', ms: 60_000 }]);
    expect(stopEffect(wanted.effects)).toEqual([]);
    const restarting = run([{ type: 'restart', at: 1000 }], readyServer()).state;
    expect(run([stop()], restarting).state).toMatchObject({ phase: 'draining', then: null });
  });

  it('a server that exits while it drains is stopped (or started again for a restart), not crashed', () => {
    const exited: MachineEvent = { type: 'exited', code: 0, signal: null, logLine: null, at: 1500 };
    const stopped = run([stop(), exited], readyServer());
    expect(stopped.state).toMatchObject({ phase: 'stopped', pid: null, retries: 0, lastError: null });
    expect(stopped.effects).toContainEqual({ type: 'clear-timer', name: 'drain-timeout' });
    expect(run([{ type: 'restart', at: 1000 }, exited], readyServer()).state.phase).toBe('starting');
  });

  it('probes and inference checks during a drain change nothing', () => {
    const s = run([stop(), inFlight(1)], readyServer()).state;
    for (const e of [{ type: 'probe', result: 'fail', at: 1200 }, { type: 'inference', result: 'fail', at: 1200 }] as MachineEvent[]) expect(run([e, e, e], s).state).toEqual(s);
  });

  it('the stop reason is kept while stopped and cleared by the next start', () => {
    const s = run([stop({ reason: 'idle 10m' }), inFlight(0), { type: 'stopped', at: 2000 }], readyServer()).state;
    expect(s).toMatchObject({ phase: 'stopped', stopReason: 'idle 10m' });
    expect(run([{ type: 'start' }], s).state.stopReason).toBeNull();
    expect(run([stop()], readyServer()).state.stopReason).toBeNull();
  });

  it('an internal error during a drain ends it', () => {
    const s = run([stop(), inFlight(1)], readyServer()).state;
    const { state, effects } = run([{ type: 'failed', message: 'boom', alive: true, at: 1300 }], s);
    expect(state).toMatchObject({ phase: 'error', drainInFlight: null, drainCutAt: null });
    expect(effects).toContainEqual({ type: 'clear-timer', name: 'drain-timeout' });
  });

  it('the journal names the drain and the stop reason', () => {
    const ready = readyServer();
    const draining = run([stop({ reason: 'idle 10m' })], ready).state;
    expect(deriveEvents(ready, draining)).toEqual([{ event: 'draining', reason: 'stop: waiting for its requests in flight until 1970-01-01T00:00:31.000Z (drainTimeout)' }]);
    const stopping = run([inFlight(0)], draining).state;
    expect(deriveEvents(draining, stopping)).toEqual([]);
    const stopped = run([{ type: 'stopped', at: 2000 }], stopping).state;
    expect(deriveEvents(stopping, stopped)).toEqual([{ event: 'stopped', reason: 'idle 10m' }]);
  });
});
