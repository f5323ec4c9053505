import type { InFlightCount } from './kind.js';

/**
 * Requests in flight from Prometheus gauges (llama-server's `requests_processing` + `requests_deferred`, vLLM's
 * `num_requests_running` + `num_requests_waiting`): a queued request is a client waiting for its answer too. The
 * first gauge must be there; the others count when present. Pure.
 */
export function inFlightFromGauges(metrics: Map<string, number>, processing: string, queued: string[]): InFlightCount {
  const now = metrics.get(processing);
  if (now === undefined) return { count: null, reason: `its /metrics has no ${processing}: only requests through the endpoint are counted` };
  return { count: queued.reduce((sum, name) => sum + (metrics.get(name) ?? 0), now) };
}
