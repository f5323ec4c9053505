/** What the serve endpoint has done lately, for the status page (`GET /api/serve`, request `serve-activity`). */
export interface ServeActivityReport {
  /** The endpoint's base URL (`http://127.0.0.1:8080`), null while it does not listen. */
  url: string | null;
  /** Per model asked for: requests per minute over the last hour, oldest first (60 numbers, the last is this minute). */
  perMinute: Array<{ model: string; counts: number[]; total: number }>;
  /** Requests waiting for a start or a swap, per group (a service without a group is a group of its own). */
  queues: Array<{ group: string; depth: number }>;
  /** Starts caused by a request, per service, since the daemon started. */
  coldStarts: Record<string, number>;
  /** The last requests, newest first (at most 20). */
  last: Array<{ at: string; model: string; service: string; status: number; durationMs: number; waitedMs: number; coldStart: boolean; tokensIn: number | null; tokensOut: number | null }>;
}
