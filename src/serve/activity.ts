import type { ServeActivityReport } from '../protocol/serve-activity.js';
import type { ServedRequest } from './gateway.js';

const MINUTES = 60;
const LAST = 20;
/** Models past this many are not counted per minute (a client sending random names must not grow the daemon). */
const MAX_MODELS = 64;

type Entry = ServeActivityReport['last'][number];

/**
 * The endpoint's recent activity in fixed memory: requests per minute per model over the last hour (a ring of 60
 * counters each) and the last 20 requests. Pure over what it was told and the clock it is given.
 */
export class ServeActivity {
  private readonly minutes = new Map<string, { counts: Uint32Array; minute: number; total: number }>();
  private readonly last: Entry[] = [];
  private readonly coldStarts = new Map<string, number>();

  record(r: Pick<ServedRequest, 'at' | 'model' | 'service' | 'outcome' | 'durationMs' | 'waitedMs' | 'coldStart'>): void {
    const minute = Math.floor(r.at / 60_000);
    let slot = this.minutes.get(r.model);
    if (!slot && this.minutes.size < MAX_MODELS) this.minutes.set(r.model, (slot = { counts: new Uint32Array(MINUTES), minute, total: 0 }));
    if (slot) {
      advance(slot, minute);
      slot.counts[minute % MINUTES]!++;
      slot.total++;
    }
    if (r.coldStart) this.coldStarts.set(r.service, (this.coldStarts.get(r.service) ?? 0) + 1);
    this.last.unshift({
      at: new Date(r.at).toISOString(),
      model: r.model,
      service: r.service,
      status: r.outcome.status,
      durationMs: r.durationMs,
      waitedMs: r.waitedMs,
      coldStart: r.coldStart,
      tokensIn: r.outcome.tokensIn ?? null,
      tokensOut: r.outcome.tokensOut ?? null,
    });
    if (this.last.length > LAST) this.last.length = LAST;
  }

  report(now: number, url: string | null, queues: ServeActivityReport['queues']): ServeActivityReport {
    const minute = Math.floor(now / 60_000);
    const perMinute = [...this.minutes.entries()].map(([model, slot]) => {
      advance(slot, minute);
      // Oldest first: the ring read from the minute after this one around to this one.
      const counts = Array.from({ length: MINUTES }, (_, i) => slot.counts[(minute + 1 + i) % MINUTES]!);
      return { model, counts, total: slot.total };
    });
    return { url, perMinute, queues, coldStarts: Object.fromEntries(this.coldStarts), last: [...this.last] };
  }
}

/** Zeroes the minutes between the slot's last one and `minute` (all of them after an hour or more). */
function advance(slot: { counts: Uint32Array; minute: number }, minute: number): void {
  if (minute <= slot.minute) return;
  for (let m = slot.minute + 1; m <= Math.min(minute, slot.minute + MINUTES); m++) slot.counts[m % MINUTES] = 0;
  slot.minute = minute;
}
