/**
 * Per service, when the idle stop will stop it: armed when it becomes ready and after every request through the
 * endpoint, cleared when it stops. At the deadline `fire` decides (it re-arms while requests are in flight).
 */
export class IdleStop {
  private readonly timers = new Map<string, { at: number; timer: NodeJS.Timeout }>();

  constructor(private readonly fire: (service: string) => void) {}

  /** Stops `service` after `ms` from now unless touched again. */
  arm(service: string, ms: number): void {
    this.clear(service);
    const timer = setTimeout(() => {
      this.timers.delete(service);
      this.fire(service);
    }, ms);
    timer.unref();
    this.timers.set(service, { at: Date.now() + ms, timer });
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
