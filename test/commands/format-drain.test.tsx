import { render } from 'ink-testing-library';
import { describe, expect, it } from 'vitest';
import { drainWait, formatStatusTable, stateLabel } from '../../src/commands/format-status.js';
import { changeLine, DrainProgress, progressLine } from '../../src/commands/start-progress.js';
import { ServiceList } from '../../src/tui/components/ServiceList.js';
import { service } from '../tui/fake-daemon.js';

const NOW = Date.parse('2026-01-01T00:00:00Z');
const draining = (inFlight: number) => service('llama', { state: 'draining', drain: { inFlight, cutAt: new Date(NOW + 27_000).toISOString() } });
const idle = service('beta', { state: 'stopped', pid: null, stopReason: 'idle 10m', lastError: null, cpuPercent: null, memoryBytes: null, uptimeSeconds: null, llm: null });
const serve = { models: ['gamma'], group: null, inFlight: 0, waiting: 0, idleStopAt: null };
/** Never started: the endpoint starts it at its first request (a stale error of an earlier run is no failure now). */
const onDemand = service('gamma', { state: 'stopped', pid: null, stopReason: null, serve, lastError: 'exited with code 143', cpuPercent: null, memoryBytes: null, uptimeSeconds: null, llm: null });

describe('how a drain and a stop reason read', () => {
  it('state labels: draining (2 in flight); stopped · idle 10m', () => {
    expect(stateLabel(draining(2), NOW)).toBe('draining (2 in flight)');
    expect(stateLabel(idle, NOW)).toBe('stopped · idle 10m');
    expect(drainWait(draining(1), NOW)).toBe('waiting for 1 request in flight (cut in 27s)');
    expect(drainWait(draining(0), NOW)).toBe('counting the requests in flight (cut in 27s)');
    expect(drainWait(service('llama'), NOW)).toBeNull();
  });

  it('the status table shows both, and a stopped service with a reason is no error', () => {
    const table = formatStatusTable([draining(2), idle], NOW);
    expect(table).toMatch(/^◑\s+llama\s+llama-server\s+draining \(2 in flight\)\s+1234/m);
    expect(table).toMatch(/^○\s+beta\s+llama-server\s+stopped · idle 10m\s+-/m);
    expect(table).not.toMatch(/last errors/);
  });

  it('a start timeout waiting to retry says so, not "crashed" (the machine records why)', () => {
    const retry = { state: 'crashed' as const, retries: 1, maxRetries: 5, nextRetryAt: new Date(NOW + 1000).toISOString() };
    expect(stateLabel(service('slow', { ...retry, detail: 'not ready within startTimeout 2s' }), NOW)).toBe('not ready within startTimeout 2s (retry 1/5 in 1s)');
    expect(stateLabel(service('slow', { ...retry, detail: null }), NOW)).toBe('crashed (retry 1/5 in 1s)');
  });

  it('a stopped service the endpoint starts on demand says so and is no error in the table', () => {
    expect(stateLabel(onDemand, NOW)).toBe('stopped · on demand');
    expect(stateLabel({ ...onDemand, serve: null }, NOW)).toBe('stopped'); // no endpoint: nothing starts it
    const table = formatStatusTable([onDemand, idle], NOW);
    expect(table).toMatch(/^○\s+gamma\s+llama-server\s+stopped · on demand\s+-/m);
    expect(table).not.toMatch(/last errors|143/);
  });

  it('restart progress says what it waits for; stop prints a line per count, none when nothing is in flight', () => {
    expect(progressLine({ name: 'llama', status: draining(2), lastLog: null }, 5, NOW, NOW, 120)).toMatch(/^◑ llama {2}waiting for 2 requests in flight \(cut in 27s\)/);
    expect(changeLine({ type: 'state', time: 't', service: 'llama', from: 'ready', to: 'draining', status: draining(1) }, NOW, NOW)).toBe(
      'llama: draining, waiting for 1 request in flight (cut in 27s) (pid 1234, 0.0s)',
    );
    const lines: string[] = [];
    const shown = new DrainProgress(['llama'], (l) => lines.push(l));
    const event = (status: ReturnType<typeof service>) => ({ type: 'state' as const, time: 't', service: status.name, from: 'ready' as const, to: status.state, status });
    for (const s of [draining(0), draining(2), draining(2), draining(1), service('llama', { state: 'stopping' }), { ...draining(3), name: 'other' }]) shown.onEvent(event(s));
    expect(lines.map((l) => l.replace(/\(cut in \d+s\)/, '(cut in Ns)'))).toEqual([
      'llama: draining, waiting for 2 requests in flight (cut in Ns)\n',
      'llama: draining, waiting for 1 request in flight (cut in Ns)\n',
    ]);
  });

  it('the TUI row shows them whole: its STATE column widens while a row needs it', () => {
    const frame = render(<ServiceList services={[draining(2), idle]} selected={0} maxRows={3} now={NOW} color={false} width={100} />).lastFrame()!;
    expect(frame).toMatch(/llama\s+draining \(2 in flight\)\s+1234/);
    expect(frame).toMatch(/beta\s+stopped · idle 10m\s+-/);
  });
});
