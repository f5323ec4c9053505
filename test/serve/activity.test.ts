import { describe, expect, it } from 'vitest';
import { ServeActivity } from '../../src/serve/activity.js';

const T0 = Date.UTC(2026, 11, 5, 8, 0, 0);
const req = (at: number, model: string, extra: Partial<{ status: number; coldStart: boolean; service: string }> = {}) => ({
  at,
  model,
  service: extra.service ?? model,
  outcome: { status: extra.status ?? 200, tokensIn: 3, tokensOut: 2 },
  durationMs: 12,
  waitedMs: extra.coldStart ? 400 : 0,
  coldStart: extra.coldStart ?? false,
});

describe('the serve endpoint\'s activity', () => {
  it('counts requests per minute per model over the last hour, oldest first, and forgets what is older', () => {
    const a = new ServeActivity();
    a.record(req(T0, 'alpha', { coldStart: true }));
    a.record(req(T0 + 5_000, 'alpha'));
    a.record(req(T0 + 61_000, 'alpha'));
    a.record(req(T0 + 61_000, 'beta', { status: 503 }));
    const now = a.report(T0 + 90_000, 'http://127.0.0.1:8080', [{ group: 'gpu0', depth: 2 }]);
    expect(now.url).toBe('http://127.0.0.1:8080');
    const alpha = now.perMinute.find((m) => m.model === 'alpha')!;
    expect(alpha.counts).toHaveLength(60);
    expect(alpha.counts.slice(-2)).toEqual([2, 1]);
    expect(alpha.counts.slice(0, -2).every((n) => n === 0)).toBe(true);
    expect(alpha.total).toBe(3);
    expect(now.perMinute.find((m) => m.model === 'beta')!.counts.at(-1)).toBe(1);
    expect(now.coldStarts).toEqual({ alpha: 1 });
    expect(now.queues).toEqual([{ group: 'gpu0', depth: 2 }]);
    expect(now.last.map((l) => [l.model, l.status])).toEqual([['beta', 503], ['alpha', 200], ['alpha', 200], ['alpha', 200]]);
    expect(now.last[0]).toMatchObject({ tokensIn: 3, tokensOut: 2, durationMs: 12 });

    // 59 minutes on, the first minute is the oldest shown; an hour and more on, it is gone.
    expect(a.report(T0 + 59 * 60_000, null, []).perMinute.find((m) => m.model === 'alpha')!.counts.slice(0, 2)).toEqual([2, 1]);
    expect(a.report(T0 + 61 * 60_000, null, []).perMinute.find((m) => m.model === 'alpha')!.counts.every((n) => n === 0)).toBe(true);
    // A request after a long quiet spell counts alone in its minute.
    a.record(req(T0 + 3 * 3600_000, 'alpha'));
    const later = a.report(T0 + 3 * 3600_000, null, []).perMinute.find((m) => m.model === 'alpha')!;
    expect(later.counts.reduce((x, y) => x + y, 0)).toBe(1);
    expect(later.total).toBe(4);
  });

  it('keeps a fixed size: the last 20 requests, and per-minute counts for at most 64 model names', () => {
    const a = new ServeActivity();
    for (let i = 0; i < 500; i++) a.record(req(T0 + i, `random-${i}`, { status: 404, service: '-' }));
    const r = a.report(T0 + 1000, null, []);
    expect(r.last).toHaveLength(20);
    expect(r.last[0]!.model).toBe('random-499');
    expect(r.perMinute).toHaveLength(64);
  });
});
