import { describe, expect, it } from 'vitest';
import { initialRuntime, transition, type MachineConfig, type MachineEvent, type ServiceRuntime } from '../../src/supervisor/machine.js';

const cfg: MachineConfig = {
  restart: { maxRetries: 5, backoffMs: 1000, maxBackoffMs: 16_000, resetAfterMs: 60_000, onUnhealthy: true },
  startTimeoutMs: 120_000,
  failureThreshold: 3,
};

function run(events: MachineEvent[], from: ServiceRuntime = initialRuntime()) {
  let state = from;
  const effects = [];
  for (const e of events) {
    const t = transition(state, e, cfg);
    state = t.state;
    effects.push(...t.effects);
  }
  return { state, effects };
}

const spawned: MachineEvent = { type: 'spawned', pid: 100, startTicks: 5, logDir: '/l', at: 0 };

describe('an effect that failed, and problems worth saying', () => {
  it('failed while starting: error with the reason, every timer cleared, the pid forgotten when its process is gone', () => {
    const s = run([{ type: 'start' }, { type: 'failed', message: 'internal error: boom', alive: false, at: 5 }]);
    expect(s.state).toMatchObject({ phase: 'error', pid: null, then: null, lastError: 'internal error: boom', lastErrorAt: 5 });
    expect(s.effects.filter((e) => e.type === 'clear-timer').map((e) => (e as { name: string }).name)).toEqual(expect.arrayContaining(['start-timeout', 'stable', 'backoff']));
  });

  it('failed while stopping with the process alive: error keeps the pid; stop and start stop that process first', () => {
    const failed = run([{ type: 'start' }, spawned, { type: 'stop', force: false }, { type: 'failed', message: 'internal error: x', alive: true, at: 9 }]);
    expect(failed.state).toMatchObject({ phase: 'error', pid: 100 });
    const stop = run([{ type: 'stop', force: false }], failed.state);
    expect(stop.state.phase).toBe('stopping');
    expect(stop.effects).toEqual([{ type: 'stop', force: false }]);
    const start = run([{ type: 'start' }], failed.state);
    expect(start.state).toMatchObject({ phase: 'stopping', then: 'start' });
    expect(start.effects).toEqual([{ type: 'stop', force: false }]);
    expect(run([{ type: 'stopped', at: 20 }], start.state).effects).toContainEqual({ type: 'spawn' });
    // Its process exiting while in error clears the pid.
    expect(run([{ type: 'exited', code: 0, signal: null, logLine: null, at: 30 }], failed.state).state).toMatchObject({ phase: 'error', pid: null });
  });

  it('a problem (a log writer replaced) sets lastError and changes nothing else', () => {
    const ready = run([{ type: 'start' }, spawned, { type: 'probe', result: 'ok', at: 1 }]);
    const s = run([{ type: 'problem', message: 'its log writer died', at: 7 }], ready.state);
    expect(s.state).toEqual({ ...ready.state, lastError: 'its log writer died', lastErrorAt: 7 });
    expect(s.effects).toEqual([]);
  });
});
