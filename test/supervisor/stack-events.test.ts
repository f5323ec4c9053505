import { describe, expect, it } from 'vitest';
import { initialRuntime, transition, type MachineConfig, type MachineEvent, type ServiceRuntime } from '../../src/supervisor/machine.js';
import { deriveEvents } from '../../src/supervisor/stack-events.js';

const cfg = (patch: Partial<MachineConfig['restart']> = {}): MachineConfig => ({
  restart: { maxRetries: 2, backoffMs: 1000, maxBackoffMs: 16_000, resetAfterMs: 60_000, onUnhealthy: true, ...patch },
  startTimeoutMs: 120_000,
  failureThreshold: 2,
});

const start: MachineEvent = { type: 'start' };
const spawned: MachineEvent = { type: 'spawned', pid: 100, startTicks: 5, logDir: '/l', at: 0 };
const ok: MachineEvent = { type: 'probe', result: 'ok', at: 10 };
const probeFail: MachineEvent = { type: 'probe', result: 'fail', reason: 'GET /health timed out', at: 11 };
const stall: MachineEvent = { type: 'inference', result: 'fail', reason: 'inference stalled: no token in 31 s', at: 12 };
const exit = (logLine: string | null = 'CUDA error'): MachineEvent => ({ type: 'exited', code: 1, signal: null, logLine, at: 20 });
const backoff: MachineEvent = { type: 'timer', name: 'backoff', at: 30 };
const stopped: MachineEvent = { type: 'stopped', at: 40 };
const stop: MachineEvent = { type: 'stop', force: false };
const timeout: MachineEvent = { type: 'timer', name: 'start-timeout', at: 50 };

/** Runs the real machine through `events`, collecting the named events of every transition. */
function eventsOf(events: MachineEvent[], config = cfg()): Array<[string, string | null]> {
  let state: ServiceRuntime = initialRuntime();
  const out: Array<[string, string | null]> = [];
  for (const e of events) {
    const next = transition(state, e, config).state;
    for (const d of deriveEvents(state, next)) out.push([d.event, d.reason]);
    state = next;
  }
  return out;
}

describe('deriveEvents: the named events of the supervisor transitions', () => {
  const table: Array<[string, MachineEvent[], Array<[string, string | null]>, MachineConfig?]> = [
    ['a start that gets ready', [start, spawned, ok], [['ready', null]]],
    ['a crash that will be retried', [start, spawned, ok, exit()], [['ready', null], ['crash', 'exited with code 1: CUDA error']]],
    [
      'a crash loop ends in gave-up (the last failure is no crash)',
      [start, spawned, exit(), backoff, spawned, exit(), backoff, spawned, exit()],
      [
        ['crash', 'exited with code 1: CUDA error'],
        ['crash', 'exited with code 1: CUDA error'],
        ['gave-up', 'exited with code 1: CUDA error (gave up after 2 retries)'],
      ],
    ],
    ['a spawn that fails is a gave-up (nothing will retry it)', [start, { type: 'spawn-failed', message: 'cannot start llama-server: ENOENT', at: 1 }], [['gave-up', 'cannot start llama-server: ENOENT']]],
    [
      'liveness failures: unhealthy once, and its restart is no crash',
      [start, spawned, ok, probeFail, probeFail, stopped, backoff, spawned, ok],
      [['ready', null], ['unhealthy', 'liveness probe failed 2 times: GET /health timed out'], ['ready', null]],
    ],
    [
      'inference failures: stalled once, and its restart is no crash',
      [start, spawned, ok, stall, stall, stopped],
      [['ready', null], ['stalled', 'inference stalled: no token in 31 s']],
    ],
    [
      'unhealthy without a restart, then healthy again',
      [start, spawned, ok, probeFail, probeFail, ok],
      [['ready', null], ['unhealthy', 'liveness probe failed 2 times: GET /health timed out'], ['ready', null]],
      cfg({ onUnhealthy: false }),
    ],
    [
      'a start that times out is a crash (it was never ready)',
      [start, spawned, timeout, stopped],
      [['crash', 'not ready after 120s (no answer)']],
    ],
    ['a stop is stopped; a restart is not', [start, spawned, ok, { type: 'restart' }, stopped, spawned, ok, stop, stopped], [['ready', null], ['ready', null], ['stopped', null]]],
    ['a crash caused by a full disk is a disk-full too', [start, spawned, exit('the disk holding its logs is full (ENOSPC, /l)')], [['crash', 'exited with code 1: the disk holding its logs is full (ENOSPC, /l)'], ['disk-full', 'exited with code 1: the disk holding its logs is full (ENOSPC, /l)']]],
    ['an external server that goes away is stopped, with why', [{ type: 'external', pid: 7, at: 0 }, exit(null)], [['stopped', 'the external server went away']]],
    ['a service re-adopted by a new daemon is no news', [{ type: 'adopted', pid: 9, startTicks: 1, logDir: null, startedAt: 0, restarts: 0, at: 0 }, ok, exit()], [['crash', 'exited with code 1: CUDA error']]],
    ['a stop of a service that gave up is stopped', [start, { type: 'spawn-failed', message: 'x', at: 1 }, stop], [['gave-up', 'x'], ['stopped', null]]],
  ];
  it.each(table)('%s', (_name, events, expected, config) => {
    expect(eventsOf(events, config)).toEqual(expected);
  });

  it('a transition within one phase is no event', () => {
    const a = { ...initialRuntime(), phase: 'starting' as const };
    expect(deriveEvents(a, { ...a, detail: 'loading model' })).toEqual([]);
  });
});
