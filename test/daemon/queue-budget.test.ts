import { describe, expect, it } from 'vitest';
import { QueueBudget, type Queued } from '../../src/daemon/queue-budget.js';

/** A subscriber that never reads: what it is sent stays queued. */
function stuck(name: string, queued = 0): Queued & { name: string; dropped: boolean; queued: number } {
  const s = { name, queued, dropped: false, queuedBytes: () => s.queued, drop: () => void (s.dropped = true) };
  return s;
}

describe('QueueBudget', () => {
  it('drops a subscriber past its own bound, and only it', () => {
    const drops: string[] = [];
    const budget = new QueueBudget(100, 1000, (unread, reason) => drops.push(`${unread} ${reason}`));
    const [a, b] = [stuck('a', 90), stuck('b', 10)];
    budget.add(a);
    budget.add(b);
    expect(budget.admit(a, 20)).toBe(false);
    expect([a.dropped, b.dropped]).toEqual([true, false]);
    expect(drops).toEqual(['90 over 0.0 MiB unread']);
    expect(budget.admit(b, 20)).toBe(true);
  });

  it('past the total, drops the slowest first until the new bytes fit, keeping those that read', () => {
    const budget = new QueueBudget(100, 200);
    const subs = [stuck('reads', 5), stuck('slow', 90), stuck('slower', 95)];
    for (const s of subs) budget.add(s);
    expect(budget.admit(subs[0]!, 20)).toBe(true); // 5+90+95+20 = 210 > 200: the slowest (95) goes
    expect(subs.map((s) => s.dropped)).toEqual([false, false, true]);
    subs[1]!.queued = 99;
    expect(budget.admit(subs[1]!, 1)).toBe(true); // 5+99+1 fits
    const newcomer = stuck('new', 0);
    budget.add(newcomer);
    newcomer.queued = 99;
    newcomer.queued = 50;
    expect(budget.admit(newcomer, 50)).toBe(true); // 5+99+50+50 > 200: the slowest ('slow', 99) goes, and the rest fit
    expect([subs[0]!.dropped, subs[1]!.dropped, newcomer.dropped]).toEqual([false, true, false]);
    newcomer.queued = 95;
    expect(budget.admit(newcomer, 5)).toBe(true);
    const last = stuck('last', 0);
    budget.add(last);
    expect(budget.admit(last, 100)).toBe(true); // 5+95+100 = 200: fits exactly
    last.queued = 100;
    expect(budget.admit(last, 1)).toBe(false); // over its own bound
    expect(last.dropped).toBe(true);
  });
});
