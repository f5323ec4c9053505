import { httpGet } from '../shared/http-get.js';

export type { LlmStats } from '../protocol/llm-stats.js';
import type { LlmStats } from '../protocol/llm-stats.js';

/** Token counters of the previous sample, for rates that say what happens now rather than a lifetime average. */
export interface LlmCounters {
  prompt: number;
  predicted: number;
  /** llama-server: llama_decode() steps (n_decode_total), which move during a generation. */
  decodes?: number;
  at: number;
}

export const emptyStats = (): LlmStats => ({
  metricsEnabled: null, promptTokensPerSecond: null, generationTokensPerSecond: null, requestTokensPerSecond: null, requestsProcessing: null,
  requestsDeferred: null, slotsBusy: null, slotsTotal: null, kvCacheUsage: null, sleeping: null, routerModels: null, loadedModels: null,
  sampledAt: new Date().toISOString(),
});

/** Throughput from two samples of prompt/generated token counters; null rates on the first sample or a reset. Pure. */
export function counterRates(prompt: number | undefined, predicted: number | undefined, previous: LlmCounters | null, now: number) {
  if (prompt === undefined || predicted === undefined) return { counters: null, prompt: null, generation: null };
  const counters = { prompt, predicted, at: now };
  if (!previous || now <= previous.at || prompt < previous.prompt || predicted < previous.predicted) return { counters, prompt: null, generation: null };
  const seconds = (now - previous.at) / 1000;
  return { counters, prompt: round((prompt - previous.prompt) / seconds), generation: round((predicted - previous.predicted) / seconds) };
}

export const round = (n: number) => Math.round(n * 10) / 10;

export async function getJson(host: string, port: number, path: string, timeoutMs = 1500): Promise<{ status: number; json: unknown; body: string }> {
  const res = await httpGet(host, port, path, timeoutMs);
  let json: unknown = null;
  try {
    json = JSON.parse(res.body);
  } catch {
    // not JSON (e.g. /metrics)
  }
  return { status: res.status, json, body: res.body };
}

/** Does host:port answer GET `path` with 200 and a body like `shape`? False on any error. */
export async function answersLike(host: string, port: number, path: string, shape: RegExp): Promise<boolean> {
  try {
    const res = await getJson(host, port, path);
    return res.status === 200 && shape.test(res.body);
  } catch {
    return false;
  }
}
