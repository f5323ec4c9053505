import type { InFlightCount } from '../kinds/kind.js';
import type { DrainSource } from './drain-source.js';

/** How often the server's own count is asked while a service drains (a source's onChange asks at once). */
export const DRAIN_POLL_MS = Number(process.env.LLAMA_TOP_DRAIN_POLL_MS) || 250;

/**
 * How long a zero stands before the drain ends: the server counts a request done when its slot is free, a moment
 * before the answer has been written to its client. (The endpoint's own count is read again then; it costs nothing.)
 */
const CONFIRM_MS = 25;

/** The requests in flight to one service now: the endpoint's (every source summed) and the server's own. */
export function combineCounts(endpoint: number, server: number | null): number {
  // A request through the endpoint reaches the server: both count it. The larger count is how many there are at
  // least, and it is 0 only when both are (summing them would show one request as two).
  return Math.max(endpoint, server ?? 0);
}

/**
 * Counts one service's requests in flight while it drains: at once, when a source says a count may have dropped,
 * and every DRAIN_POLL_MS. `report` gets each new count, and 0 once nothing is left (the server's zero standing
 * CONFIRM_MS); a server that cannot say now (no answer yet) never yields a 0. Stopped by its owner when the drain ends.
 */
export class DrainWatch {
  private timer: NodeJS.Timeout | null = null;
  private stopped = false;
  private checking = false;
  private again = false;
  private readonly unsubscribe: Array<() => void> = [];
  private lastServer: number | null = null;
  private reported: number | null = null;
  private readonly noted = new Set<string>();

  constructor(
    private readonly service: string,
    private readonly sources: () => readonly DrainSource[],
    /** The server's own count (its kind's requestsInFlight), or null when its kind has none. */
    private readonly askServer: (() => Promise<InFlightCount>) | null,
    private readonly report: (inFlight: number) => void,
    /** A line for the daemon log, once per distinct reason (how the server's count is made, or why it is not). */
    private readonly note: (line: string) => void,
  ) {}

  start(): void {
    for (const source of this.sources()) this.unsubscribe.push(source.onChange((name) => name === this.service && this.checkIn(0)));
    this.checkIn(0);
  }

  stop(): void {
    this.stopped = true;
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
    for (const off of this.unsubscribe.splice(0)) off();
  }

  private checkIn(ms: number): void {
    if (this.stopped) return;
    if (this.checking) {
      this.again = true;
      return;
    }
    if (this.timer) clearTimeout(this.timer);
    this.timer = setTimeout(() => void this.check(), ms);
  }

  private endpointCount(): number {
    let sum = 0;
    for (const source of this.sources()) {
      try {
        sum += Math.max(0, source.inFlight(this.service));
      } catch (error) {
        this.noteOnce(`a drain source's count failed: ${(error as Error).message}`);
      }
    }
    return sum;
  }

  private async check(): Promise<void> {
    this.timer = null;
    this.checking = true;
    const server: InFlightCount = this.askServer ? await this.askServer().catch((error: Error) => ({ count: null, retry: true, reason: error.message })) : { count: 0 };
    const endpoint = this.endpointCount();
    this.checking = false;
    if (this.stopped) return;
    if (server.reason) this.noteOnce(server.reason);
    if (server.count !== null) this.lastServer = server.count;
    // Not known now (no answer yet): the last count stands, and it is never taken for a 0.
    const unknown = server.count === null && server.retry === true;
    const total = combineCounts(endpoint, server.count ?? (unknown ? this.lastServer : 0));
    if (total === 0 && !unknown) return this.confirmZero();
    if (total > 0) this.send(total);
    this.next(DRAIN_POLL_MS);
  }

  /** The server said none: after CONFIRM_MS, none through the endpoint either ends the drain. */
  private confirmZero(): void {
    this.timer = setTimeout(() => {
      this.timer = null;
      if (this.stopped) return;
      const endpoint = this.endpointCount();
      if (endpoint === 0 && !this.again) return this.send(0);
      this.again = false;
      if (endpoint > 0) this.send(endpoint);
      this.checkIn(0);
    }, CONFIRM_MS);
  }

  private next(ms: number): void {
    const again = this.again;
    this.again = false;
    this.checkIn(again ? 0 : ms);
  }

  private send(count: number): void {
    if (this.stopped || count === this.reported) return;
    this.reported = count;
    this.report(count);
  }

  private noteOnce(line: string): void {
    if (this.noted.has(line)) return;
    this.noted.add(line);
    this.note(line);
  }
}
