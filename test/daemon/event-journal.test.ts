import { describe, expect, it } from 'vitest';
import { EventJournal } from '../../src/daemon/event-journal.js';

describe('EventJournal', () => {
  it('keeps the newest entries of a bounded ring, numbered, and reads them since a time', () => {
    let now = Date.parse('2026-01-01T00:00:00Z');
    const journal = new EventJournal(3, () => now);
    for (const service of ['a', 'b', 'c', 'd']) {
      journal.emit({ service, event: 'crash', reason: `${service} died` });
      now += 1000;
    }
    const all = journal.since(null);
    expect(all.events.map((e) => [e.seq, e.service])).toEqual([[2, 'b'], [3, 'c'], [4, 'd']]);
    expect(all.oldest).toBe('2026-01-01T00:00:01.000Z');
    expect(journal.since('2026-01-01T00:00:02Z').events.map((e) => e.service)).toEqual(['d']);
    expect(journal.since(Date.parse('2026-01-01T00:00:01.500Z')).events.map((e) => e.service)).toEqual(['c', 'd']);
    expect(journal.since(null, 1).events.map((e) => e.service)).toEqual(['d']);
    expect(all.events[0]).toMatchObject({ event: 'crash', reason: 'b died', from: null, to: null, retries: null });
  });

  it('tells listeners; one that throws is cut off, the emitter never sees it', () => {
    const journal = new EventJournal();
    const seen: string[] = [];
    journal.listen(() => {
      throw new Error('boom');
    });
    const stop = journal.listen((e) => seen.push(e.event));
    journal.emit({ service: null, event: 'disk-full', reason: 'disk full' });
    stop();
    journal.emit({ service: 'x', event: 'ready', reason: null });
    expect(seen).toEqual(['disk-full']);
  });
});
