import type { HistoryPoint } from '../protocol/history.js';

/** The figures of one sample, as the daemon took them (null: not known for this service or this sample). */
export interface Sample {
  cpu: number | null;
  memory: number | null;
  tokensPerSecond: number | null;
  processing: number | null;
  slotsBusy: number | null;
}

const FIELDS = ['cpu', 'memory', 'tokensPerSecond', 'processing', 'slotsBusy'] as const;
type Field = (typeof FIELDS)[number];

/** How long the fine tier covers at one point per bucket. */
export const FINE_SPAN_MS = 60 * 60 * 1000;
/** The fine tier never holds more points than this, whatever the sampling interval (a bucket is at least 1 s). */
export const MAX_FINE_POINTS = 3600;
/** Points older than the fine tier are averaged into buckets this wide… */
export const COARSE_BUCKET_MS = 60 * 1000;
/** …and this many of them are kept (a day). */
export const COARSE_POINTS = 24 * 60;
/** Bytes a point takes: time (float64), how many samples it averages (uint16), five figures (float32) each with its own count (uint16). */
export const BYTES_PER_POINT = 8 + 2 + FIELDS.length * (4 + 2);

/**
 * One tier: a fixed-capacity ring of points, each the mean of the samples that fell into its bucket of `bucketMs`.
 * Its memory is allocated once (typed arrays), so it costs the same after a minute and after a month. Pure (no clock).
 */
export class Tier {
  readonly times: Float64Array;
  private readonly values: Record<Field, Float32Array>;
  private readonly counts: Uint16Array;
  /** Samples seen per figure in the point (a null figure does not pull the mean to 0). */
  private readonly seen: Record<Field, Uint16Array>;
  private start = 0;
  private size = 0;

  constructor(
    readonly capacity: number,
    readonly bucketMs: number,
  ) {
    this.times = new Float64Array(capacity);
    this.counts = new Uint16Array(capacity);
    this.values = Object.fromEntries(FIELDS.map((f) => [f, new Float32Array(capacity)])) as Record<Field, Float32Array>;
    this.seen = Object.fromEntries(FIELDS.map((f) => [f, new Uint16Array(capacity)])) as Record<Field, Uint16Array>;
  }

  get length(): number {
    return this.size;
  }

  /** Bytes held by this tier's arrays (its whole capacity, used or not). */
  get bytes(): number {
    return this.capacity * BYTES_PER_POINT;
  }

  private slot(i: number): number {
    return (this.start + i) % this.capacity;
  }

  /**
   * Adds a sample taken at `t` (epoch ms), weighing `count` samples: merged into the newest point when it falls in
   * the same bucket, else a new point. Returns the point pushed out of a full ring (to be thinned further), if any.
   */
  add(t: number, sample: Sample, count = 1): HistoryPoint | null {
    const bucket = Math.floor(t / this.bucketMs);
    if (this.size > 0) {
      const last = this.slot(this.size - 1);
      if (Math.floor(this.times[last]! / this.bucketMs) === bucket && this.counts[last]! + count <= 0xffff) {
        this.merge(last, t, sample, count);
        return null;
      }
      if (t < this.times[last]!) return null; // a clock step back: never reorder the line
    }
    let evicted: HistoryPoint | null = null;
    if (this.size === this.capacity) {
      evicted = this.point(0);
      this.start = (this.start + 1) % this.capacity;
      this.size--;
    }
    const at = this.slot(this.size++);
    this.times[at] = t;
    this.counts[at] = 0;
    for (const f of FIELDS) {
      this.values[f][at] = 0;
      this.seen[f][at] = 0;
    }
    this.merge(at, t, sample, count);
    return evicted;
  }

  private merge(at: number, t: number, sample: Sample, count: number): void {
    const before = this.counts[at]!;
    this.counts[at] = before + count;
    // The point's time is the mean of its samples' times: a thinned point sits in the middle of what it averages.
    this.times[at] = before === 0 ? t : (this.times[at]! * before + t * count) / (before + count);
    for (const f of FIELDS) {
      const v = sample[f];
      if (v === null || !Number.isFinite(v)) continue;
      const n = this.seen[f][at]!;
      this.values[f][at] = (this.values[f][at]! * n + v * count) / (n + count);
      this.seen[f][at] = Math.min(0xffff, n + count);
    }
  }

  /** The i-th point, oldest first. */
  point(i: number): HistoryPoint {
    const at = this.slot(i);
    // float32 read back as a double has noise digits (0.30000001192092896): two decimals say all a chart needs.
    const value = (f: Field) => (this.seen[f][at]! > 0 ? Math.round(this.values[f][at]! * 100) / 100 : null);
    return {
      t: Math.round(this.times[at]!),
      cpu: value('cpu'),
      memory: value('memory') === null ? null : Math.round(value('memory')!),
      tokensPerSecond: value('tokensPerSecond'),
      processing: value('processing'),
      slotsBusy: value('slotsBusy'),
      samples: this.counts[at]!,
    };
  }

  /** The points at or after `since` (epoch ms), oldest first. */
  pointsSince(since: number): HistoryPoint[] {
    const out: HistoryPoint[] = [];
    for (let i = 0; i < this.size; i++) if (this.times[this.slot(i)]! >= since) out.push(this.point(i));
    return out;
  }
}

/**
 * One service's history: the last hour at one point per sampling interval (at least 1 s), and before that a day of
 * 1-minute means. A point leaving the fine tier is averaged into the coarse one. Fixed memory: see `bytes`.
 */
export class ServiceHistory {
  readonly fine: Tier;
  readonly coarse: Tier;

  constructor(intervalMs: number) {
    const bucketMs = Math.max(1000, intervalMs);
    this.fine = new Tier(Math.min(MAX_FINE_POINTS, Math.ceil(FINE_SPAN_MS / bucketMs)), bucketMs);
    this.coarse = new Tier(COARSE_POINTS, COARSE_BUCKET_MS);
  }

  add(t: number, sample: Sample): void {
    const old = this.fine.add(t, sample);
    if (old) this.coarse.add(old.t, old, old.samples);
  }

  /** The points at or after `since`, oldest first: the thinned ones, then the last hour's. */
  since(since: number): HistoryPoint[] {
    const fineStart = this.fine.length > 0 ? this.fine.point(0).t : Infinity;
    return [...this.coarse.pointsSince(since).filter((p) => p.t < fineStart), ...this.fine.pointsSince(since)];
  }

  /** The newest point, if any. */
  latest(): HistoryPoint | null {
    return this.fine.length > 0 ? this.fine.point(this.fine.length - 1) : null;
  }

  get bytes(): number {
    return this.fine.bytes + this.coarse.bytes;
  }
}

/** Every service's history, keyed by name; a service's ring is made on its first sample and kept while it exists. */
export class StackHistory {
  private readonly services = new Map<string, ServiceHistory>();

  constructor(private intervalMs: number) {}

  record(t: number, samples: Map<string, Sample>): void {
    for (const [name, sample] of samples) {
      let h = this.services.get(name);
      if (!h) this.services.set(name, (h = new ServiceHistory(this.intervalMs)));
      h.add(t, sample);
    }
  }

  /** Drops the rings of services no longer in the config. */
  keepOnly(names: string[]): void {
    for (const name of [...this.services.keys()]) if (!names.includes(name)) this.services.delete(name);
  }

  names(): string[] {
    return [...this.services.keys()];
  }

  since(name: string, since: number): HistoryPoint[] {
    return this.services.get(name)?.since(since) ?? [];
  }

  latest(name: string): HistoryPoint | null {
    return this.services.get(name)?.latest() ?? null;
  }

  /** Bytes held by every ring (fixed per service). */
  get bytes(): number {
    let sum = 0;
    for (const h of this.services.values()) sum += h.bytes;
    return sum;
  }
}
