import { describe, expect, it } from 'vitest';
// The page's own modules (plain browser JS, served as files): their pure parts run here as they run in the page.
// @ts-expect-error -- a .js file of the page, without types
import { bytes, countdown, duration, serveParts, stepOf, stateText } from '../../src/web/page/format.js';
// @ts-expect-error -- a .js file of the page, without types
import { niceCeil } from '../../src/web/page/charts.js';

const NOW = Date.UTC(2026, 0, 1, 12, 0, 0);
const at = (seconds: number) => new Date(NOW + seconds * 1000).toISOString();
const base = { name: 'llama', state: 'ready', detail: null };
const texts = (s: object) => serveParts({ ...base, ...s }, NOW).map((p: { text: string }) => p.text);

describe("the page's text for a service's serve and drain fields", () => {
  it('says draining with the requests in flight and when they are cut', () => {
    expect(texts({ state: 'draining', drain: { inFlight: 2, cutAt: at(25) } })).toEqual(['draining (2 in flight) · cut in 25s']);
  });

  it("says why a stopped service stopped (idle, swapped out, waiting for a request) in its badge, not twice", () => {
    const serve = { models: ['alpha'], group: null, inFlight: 0, waiting: 0, idleStopAt: null };
    expect(stateText({ ...base, state: 'stopped', stopReason: 'idle 10m', serve })).toBe('stopped · idle 10m');
    expect(stateText({ ...base, state: 'stopped', stopReason: 'swapped out for beta', serve })).toBe('stopped · swapped out for beta');
    expect(stateText({ ...base, state: 'stopped', stopReason: null, serve })).toBe('stopped · on demand'); // never started: the endpoint starts it
    expect(stateText({ ...base, state: 'stopped', stopReason: null })).toBe('stopped'); // no endpoint: nothing starts it
    expect(stateText({ ...base, state: 'ready', stopReason: 'idle 10m', serve })).toBe('ready'); // an old reason is not shown on a running one
    expect(texts({ state: 'stopped', stopReason: 'idle 10m', serve })).toEqual(['serves alpha']);
  });

  it('says the queue, the requests in flight, the idle-stop countdown and the served models', () => {
    const serve = { models: ['alpha', 'alpha:q8'], group: 'gpu', inFlight: 1, waiting: 2, idleStopAt: at(252) };
    const parts = serveParts({ ...base, serve }, NOW);
    expect(parts.map((p: { text: string }) => p.text)).toEqual(['2 waiting', '1 in flight', 'idle stop in 4m 12s', 'serves alpha, alpha:q8 (group gpu)']);
    expect(parts[0].waiting).toBe(true);
    // A client's ollama keep_alive runs the countdown: said so.
    expect(serveParts({ ...base, serve: { ...serve, idleStopBy: 'keep_alive' } }, NOW).map((p: { text: string }) => p.text)).toContain('idle stop in 4m 12s (keep_alive)');
    expect(texts({ serve: { models: [], group: null, inFlight: 0, waiting: 0, idleStopAt: null } })).toEqual([]);
  });

  it('without the fields (a daemon without serve) says nothing', () => {
    expect(texts({})).toEqual([]);
    expect(texts({ serve: null, drain: null, stopReason: null })).toEqual([]);
  });
});

describe("the page's other text", () => {
  it('durations, sizes, countdowns, the state badge', () => {
    expect([duration(5), duration(252), duration(7260), duration(null)]).toEqual(['5s', '4m 12s', '2h 01m', '–']);
    expect([bytes(512), bytes(2048), bytes(5 * 1048576), bytes(55 * 1048576), bytes(3 * 1073741824)]).toEqual(['512 B', '2 KB', '5.0 MB', '55 MB', '3.0 GB']);
    expect([countdown(at(61), NOW), countdown(at(-1), NOW), countdown(null, NOW)]).toEqual(['in 1m 01s', 'now', null]);
    expect(stateText({ state: 'starting', detail: 'loading model' })).toBe('starting · loading model');
    expect(stateText({ state: 'ready', detail: 'adopted' })).toBe('ready');
  });

  it("splits a switch's error at the step that failed", () => {
    expect(stepOf('switch to ollama failed at step 3 (restart chat): exited with code 2; restored backend.active = llamacpp')).toEqual({
      before: 'switch to ollama failed at ',
      step: 'step 3 (restart chat)',
      after: ': exited with code 2; restored backend.active = llamacpp',
    });
    expect(stepOf('switch to builtin refused: no model file')).toBeNull();
  });

  it("a chart's y axis tops at a round number above the data (binary units for memory)", () => {
    expect([niceCeil(0), niceCeil(0.7), niceCeil(3), niceCeil(11), niceCeil(36.1), niceCeil(240)]).toEqual([1, 1, 5, 20, 50, 250]);
    expect(niceCeil(53 * 1048576, true)).toBe(100 * 1048576);
    expect(niceCeil(1.3 * 1073741824, true)).toBe(2 * 1073741824);
  });
});
