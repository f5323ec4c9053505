/**
 * Per service, when the idle stop will stop it: armed when it becomes ready and after every request through the
 * endpoint, cleared when it stops. At the deadline `fire` decides (it re-arms while requests are in flight).
 */
export class IdleStop {
  private readonly timers = new Map<string, { armedAt: number; ms: number; at: number; timer: NodeJS.Timeout }>();

  constructor(
    private readonly fire: (service: string) => void,
    private readonly now: () => number = Date.now,
  ) {}

  /** Stops `service` after `ms` from now unless touched again. */
  arm(service: string, ms: number): void {
    this.schedule(service, this.now(), ms);
  }

  /**
   * The idle time changed (a reload): a running countdown keeps counting from its last touch, with `ms` (null: no
   * idle stop any more, cleared). One that has already run longer than `ms` fires at once. Nothing runs: nothing to do.
   */
  retime(service: string, ms: number | null): void {
    const entry = this.timers.get(service);
    if (!entry || entry.ms === ms) return;
    if (ms === null) return this.clear(service);
    this.schedule(service, entry.armedAt, ms);
  }

  /** The idle time of the countdown that runs, or null. */
  armedWith(service: string): number | null {
    return this.timers.get(service)?.ms ?? null;
  }

  private schedule(service: string, armedAt: number, ms: number): void {
    this.clear(service);
    const at = armedAt + ms;
    const timer = setTimeout(() => {
      this.timers.delete(service);
      this.fire(service);
    }, Math.max(0, at - this.now()));
    timer.unref();
    this.timers.set(service, { armedAt, ms, at, timer });
  }

  clear(service: string): void {
    const entry = this.timers.get(service);
    if (entry) clearTimeout(entry.timer);
    this.timers.delete(service);
  }

  /** When it will stop (epoch ms), or null. */
  at(service: string): number | null {
    return this.timers.get(service)?.at ?? null;
  }

  dispose(): void {
    for (const entry of this.timers.values()) clearTimeout(entry.timer);
    this.timers.clear();
  }
}
