import { describe, expect, it } from 'vitest';
import { initialRuntime, transition, type MachineConfig, type MachineEvent, type ServiceRuntime } from '../../src/supervisor/machine.js';
import { backoffDelay } from '../../src/supervisor/restart-policy.js';

const cfg: MachineConfig = {
  restart: { maxRetries: 5, backoffMs: 1000, maxBackoffMs: 16_000, resetAfterMs: 60_000, onUnhealthy: true },
  startTimeoutMs: 120_000,
  failureThreshold: 3,
};

function run(events: MachineEvent[], from = initialRuntime(), config = cfg) {
  let state: ServiceRuntime = from;
  const effects = [];
  for (const e of events) {
    const t = transition(state, e, config);
    state = t.state;
    effects.push(...t.effects);
  }
  return { state, effects };
}

const spawned = (pid = 100): MachineEvent => ({ type: 'spawned', pid, startTicks: 5, logDir: '/l', at: 0 });
const ready = (): MachineEvent => ({ type: 'probe', result: 'ok', at: 10 });
const exited = (code: number | null, signal: string | null = null, logLine: string | null = null): MachineEvent => ({ type: 'exited', code, signal, logLine, at: 20 });
const backoffTimer: MachineEvent = { type: 'timer', name: 'backoff', at: 30 };

describe('backoffDelay', () => {
  it('doubles from the base and stops at the cap', () => {
    expect([1, 2, 3, 4, 5, 6, 7].map((n) => backoffDelay(n, cfg.restart))).toEqual([1000, 2000, 4000, 8000, 16000, 16000, 16000]);
    expect(backoffDelay(3, { backoffMs: 200, maxBackoffMs: 500 })).toBe(500);
  });
});

describe('transition', () => {
  it('start → spawn → starting; probe ok → ready with a stable timer', () => {
    const t1 = run([{ type: 'start' }]);
    expect(t1.state.phase).toBe('starting');
    expect(t1.effects).toContainEqual({ type: 'spawn' });
    const t2 = run([{ type: 'start' }, spawned(), ready()]);
    expect(t2.state).toMatchObject({ phase: 'ready', pid: 100 });
    expect(t2.effects).toContainEqual({ type: 'set-timer', name: 'start-timeout', ms: 120_000 });
    expect(t2.effects).toContainEqual({ type: 'set-timer', name: 'stable', ms: 60_000 });
  });

  it('503 while loading reads "loading model", not a failure', () => {
    const { state } = run([{ type: 'start' }, spawned(), { type: 'probe', result: 'loading', at: 5 }]);
    expect(state).toMatchObject({ phase: 'starting', detail: 'loading model' });
  });

  it('crashes back off 1s, 2s, 4s, 8s, 16s, then give up as error naming the exit and the log line', () => {
    let s = run([{ type: 'start' }, spawned(), ready()]).state;
    const delays: number[] = [];
    for (let i = 0; i < 5; i++) {
      const t = run([exited(134, null, "failed to load model 'x.gguf'")], s);
      expect(t.state.phase).toBe('crashed');
      const timer = t.effects.find((e) => e.type === 'set-timer' && e.name === 'backoff');
      delays.push((timer as { ms: number }).ms);
      s = run([backoffTimer, spawned(200 + i)], t.state).state;
      expect(s.phase).toBe('starting');
    }
    expect(delays).toEqual([1000, 2000, 4000, 8000, 16000]);
    expect(s.restarts).toBe(5); // each recovery from a crash counts
    const last = run([exited(null, 'SIGABRT', "failed to load model 'x.gguf'")], s);
    expect(last.state.phase).toBe('error');
    expect(last.state.lastError).toBe("killed by SIGABRT: failed to load model 'x.gguf' (gave up after 5 retries)");
    expect(last.state.signal).toBe('SIGABRT');
    // a manual start resets the retries
    const again = run([{ type: 'start' }], last.state);
    expect(again.state).toMatchObject({ phase: 'starting', retries: 0 });
  });

  it('staying ready for resetAfter resets the retry count', () => {
    let s = run([{ type: 'start' }, spawned(), ready(), exited(1)]).state;
    expect(s.retries).toBe(1);
    s = run([backoffTimer, spawned(101), ready(), { type: 'timer', name: 'stable', at: 99 }], s).state;
    expect(s).toMatchObject({ phase: 'ready', retries: 0 });
  });

  it('a requested stop is "stopped" whatever the exit status (SIGABRT on SIGTERM is not a crash)', () => {
    const s = run([{ type: 'start' }, spawned(), ready(), { type: 'stop', force: false }]);
    expect(s.state.phase).toBe('stopping');
    expect(s.effects).toContainEqual({ type: 'stop', force: false });
    const after = run([exited(134, 'SIGABRT'), { type: 'stopped', at: 50 }], s.state);
    expect(after.state).toMatchObject({ phase: 'stopped', retries: 0, lastError: null, signal: 'SIGABRT' });
  });

  it('force-stop while a graceful stop is under way escalates', () => {
    const s = run([{ type: 'start' }, spawned(), ready(), { type: 'stop', force: false }, { type: 'stop', force: true }]);
    expect(s.effects.filter((e) => e.type === 'stop')).toEqual([{ type: 'stop', force: false }, { type: 'stop', force: true }]);
  });

  it('restart stops, then spawns again once the stop is done', () => {
    const s = run([{ type: 'start' }, spawned(), ready(), { type: 'restart' }]);
    expect(s.state).toMatchObject({ phase: 'stopping', then: 'start' });
    const t = run([{ type: 'stopped', at: 60 }], s.state);
    expect(t.state.phase).toBe('starting');
    expect(t.effects).toContainEqual({ type: 'spawn' });
    // a manual restart, or a stop and a start, is not a crash: the ↻ count stays
    const after = run([spawned(300), ready(), { type: 'stop', force: false }, { type: 'stopped', at: 70 }, { type: 'start' }, spawned(400)], t.state);
    expect(after.state.restarts).toBe(0);
  });

  it('the ↻ count comes back with an adopted process', () => {
    const s = run([{ type: 'adopted', pid: 7, startTicks: 5, logDir: '/l', startedAt: 1, restarts: 3, at: 2 }]);
    expect(s.state).toMatchObject({ phase: 'starting', detail: 'adopted', restarts: 3 });
  });

  it('liveness failures past the threshold make it unhealthy and restart it', () => {
    const fail: MachineEvent = { type: 'probe', result: 'fail', reason: 'no answer within 2000ms', at: 70 };
    const s = run([{ type: 'start' }, spawned(), ready(), fail, fail]);
    expect(s.state).toMatchObject({ phase: 'ready', probeFailures: 2 });
    const t = run([fail], s.state);
    expect(t.state).toMatchObject({ phase: 'stopping', then: 'recover', lastError: 'liveness probe failed 3 times: no answer within 2000ms' });
    expect(t.effects).toContainEqual({ type: 'stop', force: false });
    const after = run([{ type: 'stopped', at: 80 }], t.state);
    expect(after.state).toMatchObject({ phase: 'crashed', retries: 1 });
    // without restart.onUnhealthy it only shows unhealthy, and recovers when the probe does
    const passive = { ...cfg, restart: { ...cfg.restart, onUnhealthy: false } };
    const u = run([{ type: 'start' }, spawned(), ready(), fail, fail, fail], initialRuntime(), passive);
    expect(u.state.phase).toBe('unhealthy');
    expect(run([ready()], u.state, passive).state.phase).toBe('ready');
  });

  it('a start that times out is stopped and counted as a failure', () => {
    const s = run([{ type: 'start' }, spawned(), { type: 'probe', result: 'fail', reason: 'connection refused', at: 1 }, { type: 'timer', name: 'start-timeout', at: 2 }]);
    expect(s.state).toMatchObject({ phase: 'stopping', then: 'recover', lastError: 'not ready after 120s (last probe: connection refused)' });
    // Once down it waits to retry like a crash, but says what it was (status: "not ready within startTimeout 120s (retry 1/…)").
    expect(run([{ type: 'stopped', at: 3 }], s.state).state).toMatchObject({ phase: 'crashed', retries: 1, detail: 'not ready within startTimeout 120s' });
    // A crash is still told as one.
    expect(run([{ type: 'start' }, spawned(), exited(1)]).state).toMatchObject({ phase: 'crashed', detail: null });
  });

  it('a spawn failure (missing binary, busy port) is an error, not a crash loop', () => {
    const s = run([{ type: 'start' }, { type: 'spawn-failed', message: 'llama-server: not found on PATH', at: 1 }]);
    expect(s.state).toMatchObject({ phase: 'error', lastError: 'llama-server: not found on PATH' });
    expect(s.effects.some((e) => e.type === 'set-timer' && e.name === 'backoff')).toBe(false);
  });

  it('ignores an exit from a process that is no longer the current one and stale timers', () => {
    const s = run([{ type: 'start' }, spawned(), ready(), { type: 'timer', name: 'backoff', at: 1 }]);
    expect(s.state.phase).toBe('ready');
    const stopped = run([{ type: 'stop', force: false }, { type: 'stopped', at: 1 }, exited(0)], s.state);
    expect(stopped.state.phase).toBe('stopped');
  });

  it('stop while crashed cancels the pending retry', () => {
    const s = run([{ type: 'start' }, spawned(), ready(), exited(1), { type: 'stop', force: false }]);
    expect(s.state.phase).toBe('stopped');
    expect(s.effects).toContainEqual({ type: 'clear-timer', name: 'backoff' });
  });

  it('an external server is shown, and its loss is reported', () => {
    const s = run([{ type: 'start' }, { type: 'external', pid: 42, at: 1 }]);
    expect(s.state).toMatchObject({ phase: 'external', pid: 42 });
    expect(run([exited(null)], s.state).state).toMatchObject({ phase: 'stopped', lastError: 'the external server went away' });
    const fail: MachineEvent = { type: 'probe', result: 'fail', reason: 'connection refused on 127.0.0.1:8134', at: 9 };
    expect(run([fail, fail], s.state).state.phase).toBe('external');
    expect(run([fail, fail, fail], s.state).state).toMatchObject({ phase: 'stopped', pid: null, lastError: 'the external server stopped answering: connection refused on 127.0.0.1:8134' });
  });
});

describe('lastError after a success', () => {
  const portTaken: MachineEvent = { type: 'spawn-failed', message: 'port 3113 is in use by pid 7 (node)', at: 5 };
  it('a start or restart that reaches ready clears the error of an earlier failed start', () => {
    const t = run([{ type: 'start' }, portTaken, { type: 'start' }, spawned(), ready()]);
    expect(t.state).toMatchObject({ phase: 'ready', lastError: null, lastErrorAt: null });
  });
  it('a recovery from a crash keeps the crash as lastError: it is why the service restarted', () => {
    const t = run([{ type: 'start' }, spawned(), ready(), exited(3, null, 'boom'), backoffTimer, spawned(101), ready()]);
    expect(t.state).toMatchObject({ phase: 'ready', retries: 1, lastError: 'exited with code 3: boom' });
  });
});
