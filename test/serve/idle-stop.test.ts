import { afterEach, describe, expect, it, vi } from 'vitest';
import { IdleStop } from '../../src/serve/idle-stop.js';

afterEach(() => {
  vi.useRealTimers();
});

describe('the idle stop countdown', () => {
  it('a new idle time re-times the countdown that runs, counted from its last touch', () => {
    vi.useFakeTimers({ now: 0 });
    const fired: string[] = [];
    const idle = new IdleStop((s) => fired.push(s));
    idle.arm('alpha', 600_000);
    vi.advanceTimersByTime(60_000);
    idle.retime('alpha', 120_000);
    expect(idle.at('alpha')).toBe(120_000);
    vi.advanceTimersByTime(59_999);
    expect(fired).toEqual([]);
    vi.advanceTimersByTime(1);
    expect(fired).toEqual(['alpha']);
    idle.dispose();
  });

  it('one that already ran longer than the new time fires at once; none (null) clears it; a service without one is left alone', () => {
    vi.useFakeTimers({ now: 0 });
    const fired: string[] = [];
    const idle = new IdleStop((s) => fired.push(s));
    idle.arm('alpha', 600_000);
    idle.arm('beta', 600_000);
    vi.advanceTimersByTime(300_000);
    idle.retime('alpha', 60_000);
    idle.retime('beta', null);
    idle.retime('gamma', 1000);
    vi.advanceTimersByTime(0);
    expect(fired).toEqual(['alpha']);
    expect(idle.at('beta')).toBeNull();
    expect(idle.at('gamma')).toBeNull();
    vi.advanceTimersByTime(600_000);
    expect(fired).toEqual(['alpha']);
  });

  it('a longer time pushes the deadline out', () => {
    vi.useFakeTimers({ now: 0 });
    const fired: string[] = [];
    const idle = new IdleStop((s) => fired.push(s));
    idle.arm('alpha', 1000);
    idle.retime('alpha', 10_000);
    vi.advanceTimersByTime(5000);
    expect(fired).toEqual([]);
    expect(idle.at('alpha')).toBe(10_000);
    idle.dispose();
  });
});
