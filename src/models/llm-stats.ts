import { httpGet } from '../supervisor/http-get.js';

/** Live figures of an LLM server, shown by `status` and the TUI. Each kind fills what its server tells. */
export interface LlmStats {
  /** llama-server: false when started without --metrics (then the figures below are null). */
  metricsEnabled: boolean | null;
  /** Asked for its figures and got no answer in time: busy (every HTTP thread serving a client) or stuck. */
  unanswered?: boolean;
  /** Throughput: tokens per second over the last sampling interval, all requests together. */
  promptTokensPerSecond: number | null;
  generationTokensPerSecond: number | null;
  /** True where the server counts no tokens and the rate is estimated (ollama: its runners' writes, one per token). */
  generationEstimated?: boolean;
  /** Speed of one request as the server measures it (llama-server's predicted_tokens_seconds). */
  requestTokensPerSecond: number | null;
  requestsProcessing: number | null;
  requestsDeferred: number | null;
  slotsBusy: number | null;
  slotsTotal: number | null;
  /** vLLM: share of the KV cache in use, 0..1. */
  kvCacheUsage: number | null;
  /** llama-server --sleep-idle-seconds: the model is unloaded while idle (null: the build does not say). */
  sleeping: boolean | null;
  /** llama-server router mode: each model and its status (loaded, loading, unloaded, failed). */
  routerModels: Array<{ id: string; status: string }> | null;
  /** ollama: models loaded in memory now. */
  loadedModels: Array<{ name: string; sizeVramBytes: number; expiresAt: string | null }> | null;
  sampledAt: string;
}

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
