import { describe, expect, it } from 'vitest';
import { BYTES_PER_POINT, COARSE_BUCKET_MS, COARSE_POINTS, ServiceHistory, StackHistory, Tier, type Sample } from '../../src/daemon/history-ring.js';
import { chartMarks } from '../../src/daemon/history-marks.js';
import { EventJournal } from '../../src/daemon/event-journal.js';

const sample = (cpu: number, extra: Partial<Sample> = {}): Sample => ({ cpu, memory: cpu * 1000, tokensPerSecond: null, processing: null, slotsBusy: null, ...extra });
const T0 = Date.UTC(2026, 0, 1);

describe('a tier of the history ring', () => {
  it('keeps one point per bucket, averaging the samples that fall in it, and nulls apart from zeros', () => {
    const tier = new Tier(10, 1000);
    tier.add(T0, sample(10, { tokensPerSecond: 40 }));
    tier.add(T0 + 400, sample(20, { tokensPerSecond: null }));
    tier.add(T0 + 1000, sample(5));
    expect(tier.length).toBe(2);
    expect(tier.point(0)).toEqual({ t: T0 + 200, cpu: 15, memory: 15000, tokensPerSecond: 40, processing: null, slotsBusy: null, samples: 2 });
    expect(tier.point(1)).toMatchObject({ t: T0 + 1000, cpu: 5, tokensPerSecond: null, samples: 1 });
  });

  it('drops the oldest point when full and hands it back to be thinned; never reorders on a clock step back', () => {
    const tier = new Tier(3, 1000);
    for (let i = 0; i < 3; i++) expect(tier.add(T0 + i * 1000, sample(i))).toBeNull();
    expect(tier.add(T0 + 3000, sample(3))).toMatchObject({ t: T0, cpu: 0 });
    expect(tier.pointsSince(0).map((p) => p.cpu)).toEqual([1, 2, 3]);
    expect(tier.add(T0 - 5000, sample(99))).toBeNull();
    expect(tier.pointsSince(0).map((p) => p.cpu)).toEqual([1, 2, 3]);
    expect(tier.pointsSince(T0 + 2000).map((p) => p.cpu)).toEqual([2, 3]);
  });
});

describe("a service's history", () => {
  it('holds the last hour at the sampling interval, then 1-minute means, and answers since a time', () => {
    const h = new ServiceHistory(2000);
    expect(h.fine.capacity).toBe(1800);
    // Two hours of samples every 2 s, cpu = the minute it was taken in.
    for (let t = 0; t < 2 * 3600_000; t += 2000) h.add(T0 + t, sample(Math.floor(t / 60_000)));
    const all = h.since(0);
    const fine = all.filter((p) => p.samples === 1);
    const coarse = all.filter((p) => p.samples > 1);
    expect(fine).toHaveLength(1800);
    expect(fine[0]!.t).toBe(T0 + 3600_000);
    expect(coarse).toHaveLength(60); // the first hour, one point a minute
    expect(coarse[0]).toMatchObject({ cpu: 0, samples: 30 });
    expect(coarse[59]).toMatchObject({ cpu: 59, samples: 30 });
    // oldest first, strictly increasing times
    for (let i = 1; i < all.length; i++) expect(all[i]!.t).toBeGreaterThan(all[i - 1]!.t);
    expect(h.since(T0 + 2 * 3600_000 - 10_000)).toHaveLength(5);
  });

  it('costs the same memory after a day of fast sampling as after a minute', () => {
    const h = new ServiceHistory(100); // a 100 ms interval: buckets are at least 1 s
    const before = h.bytes;
    expect(before).toBe((3600 + COARSE_POINTS) * BYTES_PER_POINT);
    // 2 days at 100 ms: 1.7 million samples
    for (let t = 0; t < 2 * 86_400_000; t += 100) h.add(T0 + t, sample(t % 7));
    expect(h.bytes).toBe(before);
    expect(h.fine.length).toBe(3600);
    expect(h.coarse.length).toBe(COARSE_POINTS);
    const all = h.since(0);
    expect(all).toHaveLength(3600 + COARSE_POINTS);
    expect(all[0]!.t).toBeGreaterThanOrEqual(T0 + 2 * 86_400_000 - 3600_000 - COARSE_POINTS * COARSE_BUCKET_MS - COARSE_BUCKET_MS);
  });

  it('a stack keeps a ring per service and drops those no longer configured', () => {
    const stack = new StackHistory(2000);
    stack.record(T0, new Map([['a', sample(1)], ['b', sample(2)]]));
    stack.record(T0 + 2000, new Map([['a', sample(3)]]));
    expect(stack.since('a', 0).map((p) => p.cpu)).toEqual([1, 3]);
    expect(stack.latest('b')).toMatchObject({ cpu: 2 });
    stack.keepOnly(['a']);
    expect(stack.names()).toEqual(['a']);
    expect(stack.bytes).toBe(new ServiceHistory(2000).bytes);
  });
});

describe('marks on the time line', () => {
  it('restarts, starts and named events are marks; ready and other state changes are not', () => {
    const journal = new EventJournal(100, () => T0);
    const e = (service: string, event: Parameters<EventJournal['emit']>[0]['event'], from: any = null, to: any = null, reason: string | null = null) => journal.emit({ service, event, from, to, reason });
    e('llama', 'state', 'stopped', 'starting');
    e('llama', 'ready', 'starting', 'ready');
    e('llama', 'state', 'ready', 'stopping');
    e('llama', 'state', 'stopping', 'starting');
    e('llama', 'crash', 'ready', 'crashed', 'exited with code 1');
    e('llama', 'state', 'crashed', 'starting', 'exited with code 1');
    e('chat', 'backend-switch', null, null, 'llamacpp → ollama');
    expect(chartMarks(journal.since(null).events)).toEqual([
      { t: T0, service: 'llama', event: 'start', reason: null },
      { t: T0, service: 'llama', event: 'restart', reason: null },
      { t: T0, service: 'llama', event: 'crash', reason: 'exited with code 1' },
      { t: T0, service: 'chat', event: 'backend-switch', reason: 'llamacpp → ollama' },
    ]);
  });
});
