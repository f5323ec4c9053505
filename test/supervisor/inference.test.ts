import { describe, expect, it } from 'vitest';
import { checkByCounters } from '../../src/kinds/inference.js';
import { checkRunners, GENERATION_WRITES, runnerPort } from '../../src/kinds/ollama.js';
import { serverKind } from '../../src/kinds/index.js';
import { emptyStats } from '../../src/models/llm-stats.js';
import type { ServiceStatus } from '../../src/protocol/messages.js';
import { initialRuntime, transition, type MachineConfig, type ServiceRuntime } from '../../src/supervisor/machine.js';
import { HttpTimeout } from '../../src/shared/http-get.js';

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

  it('a /metrics that gets no answer in time: judged by the kind where its main loop computes it (llama-server), else unknown', async () => {
    const stuck = async () => {
      throw new HttpTimeout('no answer');
    };
    const waited: number[] = [];
    const judge = async (waitedMs: number) => {
      waited.push(waitedMs);
      return { result: 'fail' as const, reason: 'inference stalled: the loop is stuck' };
    };
    expect(await checkByCounters(stuck, never, null, 30_000, 0, judge)).toMatchObject({ result: 'fail', reason: 'inference stalled: the loop is stuck' });
    expect(waited).toEqual([30_000]);
    expect((await checkByCounters(stuck, never, null, 30_000, 0)).result).toBe('unknown'); // vLLM: its API process serves /metrics
    const refused = async () => {
      throw new Error('connection refused on 127.0.0.1:8080');
    };
    expect((await checkByCounters(refused, never, null, 30_000, 0, judge)).result).toBe('unknown'); // not a timeout: not judged
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

describe('ollama: runners and their writes', () => {
  it('knows a runner by its command line, and reads its port', () => {
    expect(runnerPort(['/usr/local/bin/ollama', 'runner', '--model', '/root/.ollama/models/blobs/sha256-ab', '--port', '40123'])).toBe(40123);
    expect(runnerPort(['/usr/bin/ollama', 'runner', '--ollama-engine', '--model', 'x', '--port', '35001'])).toBe(35001);
    // before 0.4: its send() calls are not counted in /proc/PID/io, so it cannot be watched
    expect(runnerPort(['/tmp/ollama1234/runners/cuda_v12/ollama_llama_server', '--model', 'x', '--ctx-size', '8192', '--port', '41000'])).toBeNull();
    expect(runnerPort(['/usr/bin/ollama', 'serve'])).toBeNull();
    expect(runnerPort(['/usr/bin/ollama', 'runner', '--model', 'x'])).toBeNull();
    expect(runnerPort(['python3', 'train.py', '--port', '8000'])).toBeNull();
  });

  const noProbe = async () => {
    throw new Error('must not send a request');
  };
  const runner = (writes: number) => ({ pid: 42, port: 40000, writes });

  it('no runner: no model loaded, nothing to check', async () => {
    expect(await checkRunners([], () => null, noProbe, null, 30_000, 0)).toMatchObject({ result: 'unknown', sample: null });
  });

  it('first seen: counted only; writing since: alive, and nothing is sent', async () => {
    const first = await checkRunners([runner(100)], () => 100, noProbe, null, 30_000, 0);
    expect(first).toMatchObject({ result: 'unknown', sample: { perProcess: { 42: 100 } } });
    const busy = await checkRunners([runner(100 + GENERATION_WRITES)], () => null, noProbe, first.sample, 30_000, 60_000);
    expect(busy).toMatchObject({ result: 'ok', sample: { perProcess: { 42: 100 + GENERATION_WRITES } } });
  });

  it('quiet: one 1-token request to the runner; answered is alive, its own writes not counted next time', async () => {
    const ports: number[] = [];
    const quiet = await checkRunners([runner(100)], () => 104, async (port) => void ports.push(port), { progress: 99, progressAt: 0, perProcess: { 42: 99 } }, 30_000, 60_000);
    expect(ports).toEqual([40000]);
    expect(quiet).toMatchObject({ result: 'ok', sample: { perProcess: { 42: 104 } } });
  });

  it('quiet and the request times out: stalled, unless the runner wrote tokens for others meanwhile', async () => {
    const timeout = async () => {
      throw new HttpTimeout('no answer');
    };
    const prev = { progress: 100, progressAt: 0, perProcess: { 42: 100 } };
    const wedged = await checkRunners([runner(101)], () => 102, timeout, prev, 30_000, 60_000);
    expect(wedged).toMatchObject({ result: 'fail', reason: "inference stalled: ollama's runner (pid 42, port 40000) generated no token in 30 s, and a 1-token request got no answer" });
    const queued = await checkRunners([runner(101)], () => 101 + GENERATION_WRITES, timeout, prev, 30_000, 60_000);
    expect(queued.result).toBe('ok');
    const refused = await checkRunners([runner(101)], () => 101, async () => { throw new Error('POST /completion answered 400'); }, prev, 30_000, 60_000);
    expect(refused.result).toBe('unknown');
  });

  it('two models: one wedged runner fails the check even while the other generates', async () => {
    const prev = { progress: 0, progressAt: 0, perProcess: { 1: 10, 2: 10 } };
    const r = await checkRunners(
      [{ pid: 1, port: 1001, writes: 90 }, { pid: 2, port: 1002, writes: 10 }],
      (pid) => (pid === 1 ? 150 : 10),
      async (port) => {
        if (port === 1002) throw new HttpTimeout('no answer');
        throw new Error('the generating runner must not be asked');
      },
      prev,
      30_000,
      60_000,
    );
    expect(r).toMatchObject({ result: 'fail', reason: expect.stringContaining('pid 2, port 1002') });
  });
});

describe('ollama: the estimated rate in its summary', () => {
  const status = (rate: number | null) =>
    ({ llm: { ...emptyStats(), loadedModels: [{ name: 'llama3.2:1b', sizeVramBytes: 0, expiresAt: '2026-01-01T00:05:00Z' }], generationTokensPerSecond: rate, generationEstimated: true } }) as unknown as ServiceStatus;
  const now = Date.parse('2026-01-01T00:00:00Z');
  it('shows ≈N tok/s while generating, and not the trickle of its own checks', () => {
    const summary = serverKind('ollama')!.summary;
    expect(summary(status(18.4), now, false)).toBe('llama3.2:1b (5m00s left) · ≈18.4 tok/s');
    expect(summary(status(18.4), now, true)).toBe('llama3.2:1b 5m00s ≈18.4 tok/s');
    expect(summary(status(0.1), now, false)).toBe('llama3.2:1b (5m00s left)');
    expect(summary(status(null), now, false)).toBe('llama3.2:1b (5m00s left)');
  });
});
