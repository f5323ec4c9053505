import { parsePrometheus } from '../models/prometheus.js';
import { HttpTimeout, type HttpResult } from '../shared/http-get.js';
import type { InferenceCheck, InferenceSample } from './kind.js';

/** What a server's metrics say about generation right now. */
export interface GenerationCounters {
  /** Requests being processed now (null: the server does not say). */
  processing: number | null;
  /** Counters that move while the server works (tokens, decode steps): any movement is progress. */
  progress: number;
}

/** Reads the counters within `timeoutMs`; rejects with HttpTimeout when the server does not answer in time. */
export type CounterReader = (timeoutMs: number) => Promise<GenerationCounters | null>;

/** Milliseconds as whole seconds, for a reason a user reads. */
export const seconds = (ms: number) => Math.round(ms / 1000);

/**
 * Inference liveness from counters, for servers with Prometheus metrics (llama-server, vLLM). Busy: alive as long
 * as the counters move, however long each request takes; stalled once they stand still for `timeoutMs` with
 * requests processing. Idle: one 1-token request, which must be answered within `timeoutMs`. Never loads a model.
 * `unansweredMetrics`, for a server whose main loop computes /metrics (llama-server), judges a /metrics that got no
 * answer within `timeoutMs` (a stuck loop, or every HTTP thread busy); without it that is 'unknown'.
 */
export async function checkByCounters(
  read: CounterReader,
  /** The 1-token request for an idle server; null where it must not be sent (it would keep the server awake). */
  probe: ((timeoutMs: number) => Promise<void>) | null,
  previous: InferenceSample | null,
  timeoutMs: number,
  now: number,
  unansweredMetrics: ((waitedMs: number) => Promise<{ result: 'fail' | 'unknown'; reason: string }>) | null = null,
): Promise<InferenceCheck> {
  let counters: GenerationCounters | null;
  try {
    counters = await read(timeoutMs);
  } catch (error) {
    if (error instanceof HttpTimeout && unansweredMetrics) return { ...(await unansweredMetrics(timeoutMs)), sample: previous };
    counters = null;
  }
  if (!counters) return { result: 'unknown', reason: 'no metrics to read', sample: previous };
  const moved = previous !== null && counters.progress !== previous.progress;
  if (counters.processing === null) return { result: 'unknown', reason: 'the server does not say whether it is busy', sample: { progress: counters.progress, progressAt: now } };
  if (counters.processing > 0) {
    if (moved) return { result: 'ok', sample: { progress: counters.progress, progressAt: now } };
    if (previous === null) return { result: 'unknown', sample: { progress: counters.progress, progressAt: now } };
    const still = now - previous.progressAt;
    if (still >= timeoutMs)
      return {
        result: 'fail',
        reason: `inference stalled: no token in ${seconds(still)} s with ${counters.processing} request${counters.processing === 1 ? '' : 's'} processing`,
        sample: previous,
      };
    return { result: 'unknown', sample: previous };
  }
  if (!probe) return { result: 'unknown', reason: 'idle, and not probed', sample: { progress: counters.progress, progressAt: now } };
  try {
    await probe(timeoutMs);
    return { result: 'ok', sample: { progress: counters.progress, progressAt: now } };
  } catch (error) {
    if (error instanceof HttpTimeout) return { result: 'fail', reason: `inference stalled: a 1-token request got no answer in ${seconds(timeoutMs)} s`, sample: previous };
    return { result: 'unknown', reason: `the 1-token request failed: ${(error as Error).message}`, sample: previous };
  }
}

/** Reads /metrics (GET within a time) for `checkByCounters`: the gauge of requests processing, the progress counters summed. */
export function countersFromMetrics(get: (timeoutMs: number) => Promise<HttpResult>, processing: string, progressCounters: string[]): CounterReader {
  return async (timeoutMs) => {
    const res = await get(timeoutMs);
    if (res.status !== 200) return null;
    const m = parsePrometheus(res.body);
    return { processing: m.get(processing) ?? null, progress: progressCounters.reduce((sum, name) => sum + (m.get(name) ?? 0), 0) };
  };
}
