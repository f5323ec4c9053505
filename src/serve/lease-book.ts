import type { DrainCut, DrainSource } from '../supervisor/drain-source.js';
import { CutError, type CutReason } from './cut-reason.js';

/** One request in flight through the endpoint: aborting it cuts its upstream request. */
export interface Held {
  service: string;
  cut: AbortController;
}

/**
 * The endpoint's requests in flight, per service: what the supervisor's drain counts before any stop (it is the
 * endpoint's DrainSource), and what a group swap or an idle stop waits for.
 */
export class LeaseBook implements DrainSource {
  private readonly held = new Map<string, Set<Held>>();
  private readonly listeners = new Set<(service: string) => void>();

  constructor(
    /** The drain's cut as the requests will say it (the gateway knows each service's drainTimeout). */
    private readonly reasonOf: (service: string, why: DrainCut) => CutReason = (service, why) =>
      why !== 'timeout' ? { kind: 'now', service, flag: `--${why}` } : { kind: 'drain-timeout', service, drainTimeoutMs: 30_000 },
  ) {}

  add(service: string): Held {
    const entry: Held = { service, cut: new AbortController() };
    let set = this.held.get(service);
    if (!set) this.held.set(service, (set = new Set()));
    set.add(entry);
    return entry;
  }

  remove(entry: Held): void {
    const set = this.held.get(entry.service);
    if (!set?.delete(entry)) return;
    for (const listener of [...this.listeners]) listener(entry.service);
  }

  inFlight(service: string): number {
    return this.held.get(service)?.size ?? 0;
  }

  /** The supervisor's drain ended before these requests did (drainTimeout, or a stop --now while it drained). */
  cut(service: string, why: DrainCut = 'timeout'): void {
    this.cutWith(service, this.reasonOf(service, why));
  }

  /** Cuts every request to `service` in flight, saying why (the first reason a request is cut with stands). */
  cutWith(service: string, reason: CutReason): void {
    for (const entry of [...(this.held.get(service) ?? [])]) entry.cut.abort(new CutError(reason));
  }

  onChange(listener: (service: string) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  /** Resolves once no request to `service` is in flight, or after `timeoutMs` (then its requests are cut). */
  drained(service: string, timeoutMs: number): Promise<void> {
    if (this.inFlight(service) === 0) return Promise.resolve();
    return new Promise((resolve) => {
      const done = () => {
        clearTimeout(timer);
        off();
        resolve();
      };
      const timer = setTimeout(() => {
        this.cut(service);
        done();
      }, timeoutMs);
      const off = this.onChange((s) => s === service && this.inFlight(service) === 0 && done());
    });
  }
}
