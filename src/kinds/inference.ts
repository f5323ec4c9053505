import { getJson } from '../models/llm-stats.js';
import { parsePrometheus } from '../models/prometheus.js';
import { HttpTimeout } from '../supervisor/http-get.js';
import type { InferenceCheck, InferenceSample } from './kind.js';

/** What a server's metrics say about generation right now. */
export interface GenerationCounters {
  /** Requests being processed now (null: the server does not say). */
  processing: number | null;
  /** Prompt and generated tokens so far: any movement is progress. */
  tokens: number;
}

/**
 * Inference liveness from counters, for servers with Prometheus metrics (llama-server, vLLM). Busy: alive as long
 * as the token counters move, however long each request takes; stalled once they stand still for `timeoutMs` with
 * requests processing. Idle: one 1-token request, which must be answered within `timeoutMs`. Never loads a model.
 */
export async function checkByCounters(
  read: () => Promise<GenerationCounters | null>,
  /** The 1-token request for an idle server; null where it must not be sent (it would keep the server awake). */
  probe: ((timeoutMs: number) => Promise<void>) | null,
  previous: InferenceSample | null,
  timeoutMs: number,
  now: number,
): Promise<InferenceCheck> {
  const counters = await read().catch(() => null);
  if (!counters) return { result: 'unknown', reason: 'no metrics to read', sample: previous };
  const moved = previous !== null && counters.tokens !== previous.tokens;
  if (counters.processing === null) return { result: 'unknown', reason: 'the server does not say whether it is busy', sample: { tokens: counters.tokens, progressAt: now } };
  if (counters.processing > 0) {
    if (moved) return { result: 'ok', sample: { tokens: counters.tokens, progressAt: now } };
    if (previous === null) return { result: 'unknown', sample: { tokens: counters.tokens, progressAt: now } };
    const still = now - previous.progressAt;
    if (still >= timeoutMs)
      return {
        result: 'fail',
        reason: `inference stalled: no token in ${Math.round(still / 1000)} s with ${counters.processing} request${counters.processing === 1 ? '' : 's'} processing`,
        sample: previous,
      };
    return { result: 'unknown', sample: previous };
  }
  if (!probe) return { result: 'unknown', reason: 'idle, and not probed', sample: { tokens: counters.tokens, progressAt: now } };
  try {
    await probe(timeoutMs);
    return { result: 'ok', sample: { tokens: counters.tokens, progressAt: now } };
  } catch (error) {
    if (error instanceof HttpTimeout) return { result: 'fail', reason: `inference stalled: a 1-token request got no answer in ${Math.round(timeoutMs / 1000)} s`, sample: previous };
    return { result: 'unknown', reason: `the 1-token request failed: ${(error as Error).message}`, sample: previous };
  }
}

/** Reads GET /metrics for `checkByCounters`: the gauge of requests processing and the token counters summed. */
export function countersFromMetrics(host: string, port: number, processing: string, tokenCounters: string[]): () => Promise<GenerationCounters | null> {
  return async () => {
    const res = await getJson(host, port, '/metrics');
    if (res.status !== 200) return null;
    const m = parsePrometheus(res.body);
    return { processing: m.get(processing) ?? null, tokens: tokenCounters.reduce((sum, name) => sum + (m.get(name) ?? 0), 0) };
  };
}
