import { describe, expect, it } from 'vitest';
import { serverKind } from '../../src/kinds/index.js';

const llamaServer = serverKind('llama-server')!;
import { initialRuntime, transition, type MachineConfig, type ServiceRuntime } from '../../src/supervisor/machine.js';
import { deriveEvents } from '../../src/supervisor/stack-events.js';

const cfg: MachineConfig = {
  restart: { maxRetries: 5, backoffMs: 1000, maxBackoffMs: 16_000, resetAfterMs: 60_000, onUnhealthy: true },
  startTimeoutMs: 120_000,
  failureThreshold: 3,
  drainTimeoutMs: null,
};

describe('an odd exit of a stop we asked for', () => {
  it("llama-server's kind knows b4748's abort on its way out, only with its last words", () => {
    const lines = ['srv    operator(): operator(): cleaning up before exit...', 'terminate called without an active exception'];
    expect(llamaServer.explainStopExit!({ code: null, signal: 'SIGABRT' }, lines)).toMatch(/llama\.cpp #12180.*not a crash/);
    expect(llamaServer.explainStopExit!({ code: null, signal: 'SIGABRT' }, ['GGML_ASSERT(x) failed'])).toBeNull();
    expect(llamaServer.explainStopExit!({ code: null, signal: 'SIGSEGV' }, lines)).toBeNull();
  });

  it('is kept beside the raw exit, reads stopped (no error), and is the stopped event\'s reason; a start forgets it', () => {
    let s: ServiceRuntime = initialRuntime();
    for (const e of [{ type: 'start' }, { type: 'spawned', pid: 7, startTicks: 1, logDir: '/l', at: 0 }, { type: 'probe', result: 'ok', at: 1 }, { type: 'stop', force: false, at: 2 }] as const) s = transition(s, e, cfg).state;
    s = transition(s, { type: 'exited', code: null, signal: 'SIGABRT', logLine: 'terminate called without an active exception', at: 3, afterStop: 'SIGABRT after SIGTERM: known' }, cfg).state;
    const previous = s;
    s = transition(s, { type: 'stopped', at: 4 }, cfg).state;
    expect(s).toMatchObject({ phase: 'stopped', signal: 'SIGABRT', exitNote: 'SIGABRT after SIGTERM: known', lastError: null });
    expect(deriveEvents(previous, s)).toEqual([{ event: 'stopped', reason: 'SIGABRT after SIGTERM: known' }]);
    s = transition(transition(s, { type: 'start' }, cfg).state, { type: 'spawned', pid: 8, startTicks: 2, logDir: '/l', at: 5 }, cfg).state;
    expect(s).toMatchObject({ signal: null, exitNote: null });
  });
});
