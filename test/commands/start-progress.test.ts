import { describe, expect, it } from 'vitest';
import { changeLine, progressLine, StartProgress } from '../../src/commands/start-progress.js';
import type { ServiceStatus, StateChangeEvent } from '../../src/protocol/messages.js';

const T0 = Date.parse('2026-11-27T10:00:00Z');
const status = (over: Partial<ServiceStatus>): ServiceStatus =>
  ({ name: 'llama', kind: 'llama-server', state: 'starting', detail: null, pid: 812, port: 8080, startedAt: new Date(T0).toISOString(), logDir: '/logs/llama', lastError: null, retries: 0, maxRetries: 5, nextRetryAt: null, ...over }) as ServiceStatus;
const event = (s: ServiceStatus): StateChangeEvent => ({ type: 'state', time: '', service: s.name, from: 'starting', to: s.state, status: s }) as StateChangeEvent;

describe('start progress', () => {
  it('a line per service: state, time so far, latest log line, cut to the width', () => {
    const row = { name: 'llama', status: status({ detail: 'loading model' }), lastLog: '\x1b[32mllama_model_load: loading tensors\x1b[0m' };
    expect(progressLine(row, 6, T0, T0 + 12_300, 100)).toBe('◐ llama   loading model     12s  llama_model_load: loading tensors');
    expect(progressLine({ ...row, status: status({}) }, 6, T0, T0 + 2_340, 100)).toMatch(/^◐ llama   starting\s+2\.3s  llama_model_load/);
    expect(progressLine(row, 6, T0, T0 + 1000, 30)).toHaveLength(30);
    expect(progressLine(row, 6, T0, T0 + 1000, 30).endsWith('…')).toBe(true);
    // not started yet (the request is on its way, or a dependency is starting)
    expect(progressLine({ name: 'web', status: null, lastLog: null }, 6, T0, T0 + 5000, 100)).toBe('… web     waiting');
    expect(progressLine({ name: 'web', status: status({ name: 'web', state: 'stopped', pid: null }), lastLog: null }, 6, T0, T0 + 5000, 100)).toBe('… web     waiting');
    expect(progressLine({ ...row, status: status({ state: 'ready' }) }, 6, T0, T0 + 5000, 100)).toMatch(/^● llama   ready\s+llama_model_load/);
  });

  it('off a terminal, a line per state change, with the reason of a crash', () => {
    expect(changeLine(event(status({ detail: 'loading model' })), T0, T0 + 2100)).toBe('llama: loading model (pid 812, 2.1s)');
    expect(changeLine(event(status({ state: 'crashed', pid: null, lastError: 'killed by SIGABRT: failed to load model', nextRetryAt: new Date(T0 + 4000).toISOString(), retries: 1 })), T0, T0 + 3000)).toBe(
      'llama: crashed (retry 1/5 in 1s) (3.0s): killed by SIGABRT: failed to load model',
    );
  });

  it('on a terminal, draws at once, redraws in place, and clears itself before the result', () => {
    const written: string[] = [];
    const progress = new StartProgress(['llama', 'web'], { write: (t) => written.push(t), isTTY: true, columns: 80 }, async () => 'main: loading model');
    expect(written).toHaveLength(1); // the first frame is drawn before anything is awaited
    expect(written[0]).toBe('\x1b[2K… llama  waiting\n\x1b[2K… web    waiting\n');
    progress.seed([status({ detail: 'loading model' })]);
    progress.onEvent(event(status({ detail: 'loading model' })));
    expect(written).toHaveLength(1); // events update the rows; only the timer draws on a terminal
    progress.finish();
    expect(written.at(-1)).toBe('\x1b[2A\x1b[2K\n\x1b[2K\n\x1b[2A');
    progress.finish();
    expect(written).toHaveLength(2);
  });

  it('off a terminal, never draws a frame or moves the cursor', () => {
    const written: string[] = [];
    const progress = new StartProgress(['llama'], { write: (t) => written.push(t), isTTY: false, columns: 80 }, async () => null);
    progress.onEvent(event(status({ detail: 'loading model' })));
    progress.onEvent(event(status({ name: 'other' })));
    progress.finish();
    expect(written.join('')).toMatch(/^llama: loading model \(pid 812, \d+\.\ds\)\n$/);
  });
});

describe('start progress: a group member swapped out for the started one', () => {
  it('swapMates finds the other members of the started services’ groups', async () => {
    const { swapMates } = await import('../../src/commands/start-progress.js');
    const mates = swapMates([{ name: 'alpha', group: 'cpu0' }, { name: 'beta', group: 'cpu0' }, { name: 'web', group: null }], ['beta']);
    expect([...mates]).toEqual([['alpha', { group: 'cpu0', for: 'beta' }]]);
  });

  it('on a terminal: a live line for its drain, and after the start what the drain cut', async () => {
    const { swapMates } = await import('../../src/commands/start-progress.js');
    const written: string[] = [];
    const mates = swapMates([{ name: 'alpha', group: 'cpu0' }, { name: 'beta', group: 'cpu0' }], ['beta']);
    const progress = new StartProgress(['beta'], { write: (t) => written.push(t), isTTY: true, columns: 120 }, async () => null, mates);
    const cutAt = new Date(Date.now() + 5000).toISOString();
    progress.onEvent(event(status({ name: 'alpha', state: 'draining', drain: { inFlight: 1, cutAt } })));
    (progress as unknown as { draw(): void }).draw();
    expect(written.at(-1)).toMatch(/◑ swapping out alpha \(group cpu0\) for beta: waiting for 1 request in flight \(cut in [45]s\)/);
    // the drain ends before its cut time: drained, nothing cut
    progress.onEvent(event(status({ name: 'alpha', state: 'stopping' })));
    progress.onEvent(event(status({ name: 'alpha', state: 'stopped', pid: null, stopReason: 'swapped out for beta' })));
    progress.finish();
    expect(progress.swapNotes()).toEqual(['alpha swapped out for beta (group cpu0)']);
  });

  it('off a terminal: a line per drain count, then what was cut when the drain ended at its cut time', async () => {
    const { swapMates } = await import('../../src/commands/start-progress.js');
    const written: string[] = [];
    const mates = swapMates([{ name: 'alpha', group: 'cpu0' }, { name: 'beta', group: 'cpu0' }], ['beta']);
    const progress = new StartProgress(['beta'], { write: (t) => written.push(t), isTTY: false, columns: 80 }, async () => null, mates);
    const cutAt = new Date(Date.now() - 10).toISOString(); // the cut time has come
    progress.onEvent(event(status({ name: 'alpha', state: 'draining', drain: { inFlight: 2, cutAt } })));
    progress.onEvent(event(status({ name: 'alpha', state: 'draining', drain: { inFlight: 2, cutAt } }))); // same count: no new line
    progress.onEvent(event(status({ name: 'alpha', state: 'stopping' })));
    progress.onEvent(event(status({ name: 'alpha', state: 'stopped', pid: null })));
    expect(written).toEqual(['swapping out alpha (group cpu0) for beta: waiting for 2 requests in flight (cut in 0s)\n', 'alpha swapped out for beta (group cpu0) · 2 requests in flight cut after drainTimeout\n']);
    expect(progress.swapNotes()).toEqual([]); // already said, line by line
  });
});
