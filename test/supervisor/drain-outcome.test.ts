import { describe, expect, it } from 'vitest';
import { formatDrainOutcome, formatOutcome } from '../../src/commands/format-status.js';
import { initialRuntime, transition, type Effect, type MachineConfig, type MachineEvent, type ServiceRuntime } from '../../src/supervisor/machine.js';

const llm: MachineConfig = {
  restart: { maxRetries: 5, backoffMs: 1000, maxBackoffMs: 16_000, resetAfterMs: 60_000, onUnhealthy: true },
  startTimeoutMs: 120_000,
  failureThreshold: 3,
  drainTimeoutMs: 30_000,
};

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

const ready = () => run([{ type: 'start' }, { type: 'spawned', pid: 100, startTicks: 5, logDir: '/l', at: 0 }, { type: 'probe', result: 'ok', at: 10 }]).state;
const inFlight = (count: number, at: number): MachineEvent => ({ type: 'in-flight', count, at });

describe("a stop's drain outcome (what the ✓ line says)", () => {
  it('a drain that waited for its requests records how many finished and how long it took', () => {
    const { state } = run([{ type: 'stop', force: false, at: 1000 }, inFlight(2, 1100), inFlight(1, 1500), inFlight(0, 2200)], ready());
    expect(state.lastDrain).toEqual({ drained: 2, cut: 0, cutBy: null, ms: 1200, timeoutMs: 30_000 });
  });

  it('drainTimeout running out records what finished and what was cut', () => {
    const { state } = run([{ type: 'stop', force: false, at: 1000 }, inFlight(3, 1100), inFlight(1, 5000), { type: 'timer', name: 'drain-timeout', at: 31_000 }], ready());
    expect(state.lastDrain).toEqual({ drained: 2, cut: 1, cutBy: 'drainTimeout', ms: 30_000, timeoutMs: 30_000 });
  });

  it('stop --now during a drain records the cut as --now', () => {
    const { state } = run([{ type: 'stop', force: false, at: 1000 }, inFlight(2, 1100), { type: 'stop', force: false, now: true, at: 1500 }], ready());
    expect(state.lastDrain).toMatchObject({ drained: 0, cut: 2, cutBy: 'now', ms: 500 });
  });

  it('stop --now / --force / restart --now of a ready server with requests counted in flight: the cut is told and recorded', () => {
    const now = run([{ type: 'stop', force: false, now: true, inFlight: 1, at: 1000 }], ready());
    expect(now.state).toMatchObject({ phase: 'stopping', lastDrain: { drained: 0, cut: 1, cutBy: 'now' } });
    expect(now.effects).toContainEqual({ type: 'cut', why: 'now', inFlight: 1, undrained: true });
    const killed = run([{ type: 'stop', force: true, inFlight: 2, at: 1000 }], ready());
    expect(killed.state.lastDrain).toMatchObject({ cut: 2, cutBy: 'force' });
    expect(killed.effects).toContainEqual({ type: 'cut', why: 'force', inFlight: 2, undrained: true });
    // A server that did not say in time: not counted, and no cut told.
    const unknown = run([{ type: 'stop', force: false, now: true, inFlight: null, at: 1000 }], ready());
    expect(unknown.state.lastDrain).toMatchObject({ cut: null, cutBy: 'now' });
    expect(unknown.effects.some((e) => e.type === 'cut')).toBe(false);
    const restart = run([{ type: 'restart', now: true, inFlight: 1, at: 1000 }], ready());
    expect(restart.state).toMatchObject({ phase: 'stopping', then: 'start', lastDrain: { cut: 1, cutBy: 'now' } });
    // Nothing in flight: nothing cut, nothing told.
    const none = run([{ type: 'stop', force: false, now: true, inFlight: 0, at: 1000 }], ready());
    expect(none.state.lastDrain).toMatchObject({ cut: 0, cutBy: null });
    expect(none.effects.some((e) => e.type === 'cut')).toBe(false);
  });

  it('a new drain forgets the last one; a later start keeps it for the restart outcome', () => {
    const cut = run([{ type: 'stop', force: false, now: true, inFlight: 1, at: 1000 }, { type: 'stopped', at: 1200 }], ready()).state;
    expect(run([{ type: 'start' }], cut).state.lastDrain).toMatchObject({ cut: 1 });
    expect(run([{ type: 'stop', force: false, at: 1000 }], ready()).state.lastDrain).toBeNull();
  });

  it('the ✓ line says what was drained and what was cut', () => {
    const ok = { name: 'llama', ok: true, state: 'stopped' as const, error: null, elapsedMs: 1300 };
    expect(formatOutcome({ ...ok, drain: { drained: 2, cut: 0, cutBy: null, ms: 1200, timeoutMs: 30_000 } }, 'stopped')).toBe('✓ llama stopped in 1.3s (drained 2 in 1.2s)');
    expect(formatOutcome({ ...ok, elapsedMs: 30_100, drain: { drained: 0, cut: 1, cutBy: 'drainTimeout', ms: 30_000, timeoutMs: 30_000 } }, 'stopped')).toBe('✓ llama stopped in 30.1s · 1 request cut after drainTimeout 30s');
    expect(formatDrainOutcome({ drained: 2, cut: 1, cutBy: 'drainTimeout', ms: 30_000, timeoutMs: 30_000 })).toBe(' · drained 2 in 30.0s, 1 request cut after drainTimeout 30s');
    expect(formatDrainOutcome({ drained: 0, cut: 2, cutBy: 'now', ms: 0, timeoutMs: 30_000 })).toBe(' · 2 requests cut (--now)');
    expect(formatDrainOutcome({ drained: 0, cut: 1, cutBy: 'force', ms: 0, timeoutMs: 30_000 })).toBe(' · 1 request cut (--force)');
    expect(formatDrainOutcome({ drained: 0, cut: null, cutBy: 'drainTimeout', ms: 30_000, timeoutMs: 30_000 })).toBe(' · the requests in flight (not counted) cut after drainTimeout 30s');
    expect(formatOutcome({ ...ok, drain: { drained: 0, cut: 0, cutBy: null, ms: 40, timeoutMs: 30_000 } }, 'stopped')).toBe('✓ llama stopped in 1.3s');
  });
});
