import { ClientLeft } from './readiness.js';

interface Waiter {
  service: string;
  resolve(coldStart: boolean): void;
  reject(error: unknown): void;
  leave(): void;
}

/**
 * The requests of one group that wait for a member to start or be swapped in, in arrival order. The head's service
 * is made active (`activate`: stop the other member, start this one, wait for ready) once, and every request
 * waiting for that service then goes through together: a swap happens once however many requests wait for it.
 */
export class GroupQueue {
  private readonly waiters: Waiter[] = [];
  private pumping = false;

  constructor(
    readonly group: string,
    private readonly activate: (service: string) => Promise<{ coldStart: boolean }>,
    private readonly changed: () => void = () => undefined,
  ) {}

  get depth(): number {
    return this.waiters.length;
  }

  waitingFor(service: string): number {
    return this.waiters.filter((w) => w.service === service).length;
  }

  /** The service being waited for at the head, or null. */
  get head(): string | null {
    return this.waiters[0]?.service ?? null;
  }

  /** Waits in line until `service` is active; resolves with whether this request's arrival started it. */
  enter(service: string, signal: AbortSignal): Promise<boolean> {
    return new Promise((resolve, reject) => {
      if (signal.aborted) return reject(new ClientLeft());
      const onAbort = () => {
        this.drop(waiter);
        reject(new ClientLeft());
      };
      const waiter: Waiter = {
        service,
        resolve,
        reject,
        leave: () => signal.removeEventListener('abort', onAbort),
      };
      signal.addEventListener('abort', onAbort, { once: true });
      this.waiters.push(waiter);
      this.changed();
      void this.pump();
    });
  }

  private drop(waiter: Waiter): void {
    const at = this.waiters.indexOf(waiter);
    if (at >= 0) this.waiters.splice(at, 1);
    waiter.leave();
    this.changed();
  }

  private async pump(): Promise<void> {
    if (this.pumping) return;
    this.pumping = true;
    try {
      while (this.waiters.length > 0) {
        const service = this.waiters[0]!.service;
        let outcome: { ok: true; coldStart: boolean } | { ok: false; error: unknown };
        try {
          outcome = { ok: true, ...(await this.activate(service)) };
        } catch (error) {
          outcome = { ok: false, error };
        }
        let first = true;
        for (const waiter of this.waiters.filter((w) => w.service === service)) {
          this.drop(waiter);
          if (outcome.ok) waiter.resolve(outcome.coldStart && first);
          else waiter.reject(outcome.error);
          first = false;
        }
      }
    } finally {
      this.pumping = false;
    }
  }
}
