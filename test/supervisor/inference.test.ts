import { describe, expect, it } from 'vitest';
import { checkByCounters } from '../../src/kinds/inference.js';
import { initialRuntime, transition, type MachineConfig, type ServiceRuntime } from '../../src/supervisor/machine.js';
import { HttpTimeout } from '../../src/supervisor/http-get.js';

const never = async () => {
  throw new Error('must not send a request to a busy server');
};

describe('checkByCounters', () => {
  it('busy: alive while the token counters move, however slowly; stalled after `timeout` of no movement', async () => {
    const busy = (progress: number) => async () => ({ processing: 1, progress });
    const first = await checkByCounters(busy(100), never, null, 30_000, 0);
    expect(first).toMatchObject({ result: 'unknown', sample: { progress: 100, progressAt: 0 } });
    const moving = await checkByCounters(busy(101), never, first.sample, 30_000, 60_000);
    expect(moving).toMatchObject({ result: 'ok', sample: { progress: 101, progressAt: 60_000 } });
    const stillShort = await checkByCounters(busy(101), never, moving.sample, 30_000, 80_000);
    expect(stillShort.result).toBe('unknown');
    const stalled = await checkByCounters(busy(101), never, stillShort.sample, 30_000, 120_000);
    expect(stalled).toMatchObject({ result: 'fail', reason: 'inference stalled: no token in 60 s with 1 request processing' });
  });

  it('idle: one 1-token request, which must be answered in time', async () => {
    const idle = async () => ({ processing: 0, progress: 5 });
    expect((await checkByCounters(idle, async () => undefined, null, 30_000, 0)).result).toBe('ok');
    const hung = await checkByCounters(idle, async () => { throw new HttpTimeout('no answer'); }, null, 30_000, 0);
    expect(hung).toMatchObject({ result: 'fail', reason: 'inference stalled: a 1-token request got no answer in 30 s' });
    const refused = await checkByCounters(idle, async () => { throw new Error('POST /completion answered 400'); }, null, 30_000, 0);
    expect(refused.result).toBe('unknown'); // an error answer is an answer: not a stall
  });

  it('idle with no probe allowed (a server that can sleep): cannot tell, never fails', async () => {
    expect((await checkByCounters(async () => ({ processing: 0, progress: 5 }), null, null, 30_000, 0)).result).toBe('unknown');
  });

  it('a /metrics that gets no answer in time: a stall where the main loop computes it (llama-server), else unknown', async () => {
    const stuck = async () => {
      throw new HttpTimeout('no answer');
    };
    expect(await checkByCounters(stuck, never, null, 30_000, 0, false)).toMatchObject({ result: 'fail', reason: "inference stalled: GET /metrics got no answer in 30 s (the server's main loop is stuck)" });
    expect((await checkByCounters(stuck, never, null, 30_000, 0)).result).toBe('unknown');
    const refused = async () => {
      throw new Error('connection refused on 127.0.0.1:8080');
    };
    expect((await checkByCounters(refused, never, null, 30_000, 0, false)).result).toBe('unknown');
  });

  it('cannot tell without metrics, and then never fails', async () => {
    expect((await checkByCounters(async () => null, never, null, 1, 0)).result).toBe('unknown');
    expect((await checkByCounters(async () => ({ processing: null, progress: 1 }), never, null, 1, 0)).result).toBe('unknown');
  });
});

describe('the machine counts inference failures apart from /health', () => {
  const cfg: MachineConfig = { restart: { maxRetries: 5, backoffMs: 1000, maxBackoffMs: 16_000, resetAfterMs: 60_000, onUnhealthy: true }, startTimeoutMs: 120_000, failureThreshold: 2 };
  const ready: ServiceRuntime = { ...initialRuntime(), phase: 'ready', pid: 10, startTicks: 1 };
  it('threshold failures in a row restart it; a /health 200 in between does not reset them; an ok does', () => {
    let s = transition(ready, { type: 'inference', result: 'fail', reason: 'inference stalled: x', at: 1 }, cfg).state;
    s = transition(s, { type: 'probe', result: 'ok', at: 2 }, cfg).state;
    expect(s.inferenceFailures).toBe(1);
    const t = transition(s, { type: 'inference', result: 'fail', reason: 'inference stalled: x', at: 3 }, cfg);
    expect(t.state).toMatchObject({ phase: 'stopping', detail: 'restarting (inference stalled)', then: 'recover', lastError: 'inference stalled: x' });
    expect(t.effects).toContainEqual({ type: 'stop', force: false });
    const reset = transition(transition(ready, { type: 'inference', result: 'fail', at: 1 }, cfg).state, { type: 'inference', result: 'ok', at: 2 }, cfg);
    expect(reset.state.inferenceFailures).toBe(0);
  });
});
