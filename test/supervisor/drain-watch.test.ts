import { afterEach, describe, expect, it } from 'vitest';
import type { InFlightCount } from '../../src/kinds/kind.js';
import { inFlightFromGauges } from '../../src/kinds/in-flight.js';
import { runnersInFlight, RUNNER_WINDOW_MS } from '../../src/kinds/ollama.js';
import type { DrainSource } from '../../src/supervisor/drain-source.js';
import { combineCounts, DrainWatch } from '../../src/supervisor/drain-watch.js';
import { waitFor } from '../helpers/wait.js';

/** A drain source as the serve endpoint is one: counts per service, tells its listeners when one drops. */
class CountingSource implements DrainSource {
  readonly counts = new Map<string, number>();
  readonly cuts: string[] = [];
  private readonly listeners = new Set<(service: string) => void>();
  inFlight(service: string): number {
    return this.counts.get(service) ?? 0;
  }
  cut(service: string): void {
    this.cuts.push(service);
  }
  onChange(listener: (service: string) => void): () => void {
    this.listeners.add(listener);
    return () => void this.listeners.delete(listener);
  }
  set(service: string, n: number): void {
    this.counts.set(service, n);
    for (const l of this.listeners) l(service);
  }
  get listening(): number {
    return this.listeners.size;
  }
}

const watches: DrainWatch[] = [];
afterEach(() => watches.splice(0).forEach((w) => w.stop()));

function watch(sources: DrainSource[], server: (() => Promise<InFlightCount>) | null) {
  const reports: number[] = [];
  const notes: string[] = [];
  const w = new DrainWatch('alpha', () => sources, server, (n) => reports.push(n), (line) => notes.push(line));
  watches.push(w);
  w.start();
  return { w, reports, notes };
}

describe('combineCounts', () => {
  it('is the larger of the endpoint and the server count: a proxied request is counted by both, and is one', () => {
    expect(combineCounts(1, 1)).toBe(1);
    expect(combineCounts(1, 3)).toBe(3);
    expect(combineCounts(2, 0)).toBe(2);
    expect(combineCounts(0, null)).toBe(0);
  });
});

describe('DrainWatch', () => {
  it('reports the endpoint count, and 0 once its source says the last request ended', async () => {
    const source = new CountingSource();
    source.set('alpha', 2);
    source.set('beta', 5); // another service's requests are not this drain's
    const { reports } = watch([source], async () => ({ count: 0 }));
    await waitFor(() => reports.includes(2), 'the count of 2');
    source.set('alpha', 0);
    await waitFor(() => reports.at(-1) === 0, 'a 0 once the source dropped to none');
    expect(reports).toEqual([2, 0]);
  });

  it('waits for the server\'s own requests (sent straight to it) as well', async () => {
    let server = 1;
    const { reports } = watch([new CountingSource()], async () => ({ count: server }));
    await waitFor(() => reports.includes(1), 'the server count');
    server = 0;
    await waitFor(() => reports.at(-1) === 0, 'a 0 once the server has none');
  });

  it('never takes a server that cannot say yet (no answer) for an idle one', async () => {
    let answer: InFlightCount = { count: null, retry: true, reason: 'GET /metrics not answered' };
    const asked: number[] = [];
    const { reports, notes } = watch([], async () => (asked.push(Date.now()), answer));
    await waitFor(() => asked.length >= 3, 'three questions');
    expect(reports).toEqual([]);
    expect(notes).toEqual(['GET /metrics not answered']);
    answer = { count: 0 };
    await waitFor(() => reports.at(-1) === 0, 'a 0 once it says so');
  });

  it('a server that can never say counts as none: only the endpoint is waited for, and the log says why', async () => {
    const source = new CountingSource();
    source.set('alpha', 1);
    const { reports, notes } = watch([source], async () => ({ count: null, reason: 'metrics off' }));
    await waitFor(() => reports.includes(1), 'the endpoint count');
    source.set('alpha', 0);
    await waitFor(() => reports.at(-1) === 0, 'a 0');
    expect(notes).toEqual(['metrics off']);
  });

  it('stops asking and listening once stopped', async () => {
    const source = new CountingSource();
    source.set('alpha', 1);
    let asked = 0;
    const { w, reports } = watch([source], async () => (asked++, { count: 1 }));
    await waitFor(() => reports.includes(1), 'a count');
    w.stop();
    expect(source.listening).toBe(0);
    const then = asked;
    source.set('alpha', 0);
    await new Promise((resolve) => setImmediate(resolve));
    expect(asked).toBe(then);
    expect(reports).toEqual([1]);
  });
});

describe('what each kind says is in flight', () => {
  it('llama-server and vLLM: processing plus queued', () => {
    const m = new Map([['llamacpp:requests_processing', 2], ['llamacpp:requests_deferred', 1]]);
    expect(inFlightFromGauges(m, 'llamacpp:requests_processing', ['llamacpp:requests_deferred'])).toEqual({ count: 3 });
    expect(inFlightFromGauges(new Map([['vllm:num_requests_running', 0]]), 'vllm:num_requests_running', ['vllm:num_requests_waiting'])).toEqual({ count: 0 });
    expect(inFlightFromGauges(new Map(), 'llamacpp:requests_processing', []).count).toBeNull();
  });

  it('ollama: a runner that writes tokens over a window counts as one; the first call only samples', () => {
    const notes: Record<string, unknown> = {};
    const runners = (a: number, b: number) => [{ pid: 1, port: 5001, writes: a }, { pid: 2, port: 5002, writes: b }];
    expect(runnersInFlight(runners(10, 10), notes, 0)).toMatchObject({ count: null, retry: true });
    expect(runnersInFlight(runners(40, 10), notes, RUNNER_WINDOW_MS / 2)).toMatchObject({ count: null, retry: true });
    expect(runnersInFlight(runners(40, 11), notes, RUNNER_WINDOW_MS)).toMatchObject({ count: 1 });
    expect(runnersInFlight(runners(40, 11), notes, 2 * RUNNER_WINDOW_MS)).toMatchObject({ count: 0 });
    expect(runnersInFlight([], {}, 0)).toMatchObject({ count: 0 });
  });
});
