import type { HistoryAnswer, HistoryPoint, HistorySample } from '../protocol/history.js';
import type { ServiceStatus } from '../protocol/status.js';
import type { EventJournal } from './event-journal.js';
import { chartMarks } from './history-marks.js';
import { StackHistory, type Sample } from './history-ring.js';

/** The figures of a service's status a chart shows. Pure. */
export function sampleOf(s: ServiceStatus): Sample {
  return {
    cpu: s.cpuPercent,
    memory: s.memoryBytes,
    tokensPerSecond: s.llm?.generationTokensPerSecond ?? null,
    processing: s.llm?.requestsProcessing ?? null,
    slotsBusy: s.llm?.slotsBusy ?? null,
  };
}

/** What the recorder needs of the supervisor: fresh LLM figures, then every service's status. */
export interface HistorySource {
  refreshStats(maxAgeMs: number): Promise<void>;
  status(): ServiceStatus[];
}

/**
 * How often a point is taken while no client watches. Each point asks every LLM server for its figures, and
 * llama-server logs each request (`GET /metrics` and the idle line it causes): at every 10-s tree sample that was
 * 12 lines a minute of its log. A minute's point has the minute's mean token rate (the rate is counted from the
 * server's token counters between two points), so the charts stay true, only coarser, until someone watches.
 */
export const UNWATCHED_POINT_MS = 60_000;

/**
 * The daemon's history: after each sample of the process trees (every metrics interval while someone watches),
 * the LLM figures are refreshed and every service gets a point; with no client, a point a minute
 * (UNWATCHED_POINT_MS). `onSample` tells the subscribers. Marks come from the event journal.
 */
export class HistoryRecorder {
  readonly rings: StackHistory;
  private taking: Promise<void> | null = null;
  /** When the last point was taken (epoch ms). */
  private lastTaken: number | null = null;

  constructor(
    private readonly source: HistorySource,
    private readonly journal: EventJournal,
    readonly intervalMs: number,
    private readonly onSample: (sample: HistorySample) => void,
    private readonly now: () => number = Date.now,
    /** Does a client watch (the TUI, the page)? Without one, a point a minute. */
    private readonly watched: () => boolean = () => true,
    private readonly unwatchedPointMs = UNWATCHED_POINT_MS,
  ) {
    this.rings = new StackHistory(intervalMs);
  }

  /** Takes one point per service (a call while one is being taken shares it); unwatched, at most one a minute. */
  take(): Promise<void> {
    // (a tree sample may come a little early: half an interval of slack)
    const quiet = this.lastTaken !== null && !this.watched() && this.now() - this.lastTaken < this.unwatchedPointMs - this.intervalMs / 2;
    if (quiet && !this.taking) return Promise.resolve();
    this.taking ??= this.record().finally(() => (this.taking = null));
    return this.taking;
  }

  private async record(): Promise<void> {
    // Figures younger than an interval (a status request took them) are used as they are: no extra request to the
    // servers, so their logs gain no more probe lines than a status poll already makes.
    await this.source.refreshStats(this.intervalMs).catch(() => undefined);
    const t = this.now();
    this.lastTaken = t;
    const statuses = this.source.status();
    this.rings.keepOnly(statuses.map((s) => s.name));
    this.rings.record(t, new Map(statuses.map((s) => [s.name, sampleOf(s)])));
    const services: Record<string, HistoryPoint> = {};
    for (const s of statuses) {
      const last = this.rings.latest(s.name);
      if (last) services[s.name] = last;
    }
    this.onSample({ t, services });
  }

  /** The points of `service` (all when null) of the last `sinceSeconds` (null: all kept), and the marks then. */
  answer(service: string | null, sinceSeconds: number | null): HistoryAnswer {
    const since = sinceSeconds === null ? 0 : this.now() - sinceSeconds * 1000;
    const names = service === null ? this.rings.names() : [service];
    const services: Record<string, HistoryPoint[]> = {};
    for (const name of names) services[name] = this.rings.since(name, since);
    const events = chartMarks(this.journal.since(since - 1).events).filter((m) => service === null || m.service === service || m.service === null);
    return { intervalMs: this.intervalMs, ringBytes: this.rings.bytes, services, events };
  }
}
