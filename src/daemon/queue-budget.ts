/** One subscriber as the budget sees it: how much it has not yet read, and how to let it go. */
export interface Queued {
  queuedBytes(): number;
  drop(): void;
}

/** A subscriber may leave this much unread before it is dropped (a paused `logs -f | less`). */
export const MAX_QUEUED_PER_SUBSCRIBER = 4 * 1024 * 1024;
/** All subscribers together may leave this much unread; past it the slowest are dropped first. */
export const MAX_QUEUED_TOTAL = 32 * 1024 * 1024;

/**
 * Bounds what the daemon holds for subscribers that do not read: per subscriber and across all of them, so 40 paused
 * followers cost at most MAX_QUEUED_TOTAL rather than 40 times the per-subscriber bound. Whoever is dropped has the most
 * unread (the slowest reader), which keeps those that do read.
 */
export class QueueBudget {
  private readonly members = new Set<Queued>();

  constructor(
    private readonly perSubscriber = MAX_QUEUED_PER_SUBSCRIBER,
    private readonly total = MAX_QUEUED_TOTAL,
    private readonly onDrop: (unread: number, reason: string) => void = () => undefined,
  ) {}

  add(member: Queued): void {
    this.members.add(member);
  }

  remove(member: Queued): void {
    this.members.delete(member);
  }

  /** Whether `who` may queue `bytes` more; false when it was dropped (it, or others first, are let go to make room). */
  admit(who: Queued, bytes: number): boolean {
    const own = who.queuedBytes();
    if (own + bytes > this.perSubscriber) return this.drop(who, own, `over ${mib(this.perSubscriber)} unread`) && false;
    let sum = bytes;
    for (const m of this.members) sum += m.queuedBytes();
    while (sum > this.total) {
      const slowest = this.slowest();
      if (!slowest) break;
      const unread = slowest.queuedBytes();
      this.drop(slowest, unread, `the slowest of ${this.members.size} subscribers with ${mib(sum)} unread in all (at most ${mib(this.total)})`);
      if (slowest === who) return false;
      sum -= unread;
    }
    return true;
  }

  private slowest(): Queued | null {
    let found: Queued | null = null;
    let most = -1;
    for (const m of this.members) {
      const q = m.queuedBytes();
      if (q > most) [found, most] = [m, q];
    }
    return found;
  }

  private drop(member: Queued, unread: number, reason: string): boolean {
    this.members.delete(member);
    member.drop();
    this.onDrop(unread, reason);
    return true;
  }
}

const mib = (bytes: number) => `${(bytes / 1024 / 1024).toFixed(bytes < 1024 * 1024 ? 1 : 0)} MiB`;
