import type { JournalPage, StackEvent, StackEventInput } from '../protocol/journal.js';

/** How many entries the journal keeps: a day of a busy stack's state changes, a few hundred KB at most. */
export const JOURNAL_CAPACITY = 2000;

export type JournalListener = (event: StackEvent) => void;

/**
 * The daemon's event journal: a bounded ring of the stack's recent events, oldest dropped first. Every daemon-side
 * module tells it what happened with `emit` (the supervisor's transitions, the disk watch, a refused reload, the
 * serve endpoint's on-demand starts and idle stops); notifications listen, and clients read it since a time.
 */
export class EventJournal {
  private readonly ring: StackEvent[] = [];
  private nextSeq = 1;
  private readonly listeners = new Set<JournalListener>();

  constructor(
    private readonly capacity = JOURNAL_CAPACITY,
    private readonly now: () => number = Date.now,
  ) {}

  /** Records an event and tells every listener; a listener that throws is cut off, never the emitter. */
  emit(input: StackEventInput): StackEvent {
    const event: StackEvent = {
      seq: this.nextSeq++,
      time: input.time ?? new Date(this.now()).toISOString(),
      service: input.service,
      event: input.event,
      from: input.from ?? null,
      to: input.to ?? null,
      reason: input.reason,
      retries: input.retries ?? null,
    };
    this.ring.push(event);
    if (this.ring.length > this.capacity) this.ring.splice(0, this.ring.length - this.capacity);
    for (const listener of this.listeners) {
      try {
        listener(event);
      } catch {
        this.listeners.delete(listener);
      }
    }
    return event;
  }

  /** Calls `listener` with every event from now on; returns the unsubscribe. */
  listen(listener: JournalListener): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  /**
   * The events after `since` (an ISO time, or epoch ms; null: all kept), oldest first, at most `limit` (the newest
   * ones when there are more). Pure read.
   */
  since(since: string | number | null, limit = this.capacity): JournalPage {
    const after = since === null ? -Infinity : typeof since === 'number' ? since : Date.parse(since);
    const events = this.ring.filter((e) => Date.parse(e.time) > after);
    return { events: events.slice(Math.max(0, events.length - limit)), oldest: this.ring[0]?.time ?? null };
  }
}
