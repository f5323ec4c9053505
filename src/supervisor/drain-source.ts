/**
 * The seam between the supervisor's drain (every stop of an LLM server first waits for the requests in flight) and
 * whoever else counts requests to a service: the serve endpoint registers one `DrainSource` with
 * `Supervisor.addDrainSource`, and the supervisor adds the server's own `requests_processing` to it.
 */
export interface DrainSource {
  /** Requests in flight to the service through this source now (waiting ones excluded). */
  inFlight(service: string): number;
  /**
   * The drain ended before the requests did: drainTimeout ran out (`timeout`) or a stop --now came while it drained
   * (`now`). Cut this source's requests to it (their upstream requests are aborted), saying which.
   */
  cut(service: string, why: DrainCut): void;
  /** Tells the drain when a count may have dropped, so it re-checks at once instead of at its next poll. */
  onChange(listener: (service: string) => void): () => void;
}

/** How a drain ended before its requests did. */
export type DrainCut = 'timeout' | 'now' | 'force';

/** Why a stop happens; shown as the stopped service's reason (`idle 10m`, `swapped out for beta`), never as an error. */
export interface StopOptions {
  /** Skip the drain (`stop --now`, `restart --now`). */
  now?: boolean;
  /** What `status` says of the service once stopped, e.g. `idle 10m`. Cleared by its next start. */
  reason?: string;
}
