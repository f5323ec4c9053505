import { httpGet } from '../supervisor/http-get.js';
import { parsePrometheus } from './prometheus.js';

/** Live figures of an LLM server, shown by `status` and the TUI. */
export interface LlmStats {
  /** llama-server: false when started without --metrics (then the figures below are null). */
  metricsEnabled: boolean | null;
  promptTokensPerSecond: number | null;
  generationTokensPerSecond: number | null;
  requestsProcessing: number | null;
  requestsDeferred: number | null;
  slotsBusy: number | null;
  slotsTotal: number | null;
  /** ollama: models loaded in memory now. */
  loadedModels: Array<{ name: string; sizeVramBytes: number; expiresAt: string | null }> | null;
  sampledAt: string;
}

interface Counters {
  prompt: number;
  predicted: number;
  at: number;
}

const empty = (): LlmStats => ({
  metricsEnabled: null, promptTokensPerSecond: null, generationTokensPerSecond: null, requestsProcessing: null, requestsDeferred: null,
  slotsBusy: null, slotsTotal: null, loadedModels: null, sampledAt: new Date().toISOString(),
});

/** Token rates are counter deltas between two samples, so they say what happens now, not a lifetime average. */
export function llamaServerStats(metrics: Map<string, number> | null, slots: unknown, previous: Counters | null, now: number): { stats: LlmStats; counters: Counters | null } {
  const stats = empty();
  stats.metricsEnabled = metrics !== null;
  let counters: Counters | null = null;
  if (metrics) {
    stats.requestsProcessing = metrics.get('llamacpp:requests_processing') ?? null;
    stats.requestsDeferred = metrics.get('llamacpp:requests_deferred') ?? null;
    const prompt = metrics.get('llamacpp:prompt_tokens_total');
    const predicted = metrics.get('llamacpp:tokens_predicted_total');
    if (prompt !== undefined && predicted !== undefined) {
      counters = { prompt, predicted, at: now };
      if (previous && now > previous.at && prompt >= previous.prompt && predicted >= previous.predicted) {
        const seconds = (now - previous.at) / 1000;
        stats.promptTokensPerSecond = round((prompt - previous.prompt) / seconds);
        stats.generationTokensPerSecond = round((predicted - previous.predicted) / seconds);
      }
    }
  }
  if (Array.isArray(slots)) {
    stats.slotsTotal = slots.length;
    stats.slotsBusy = slots.filter((s) => (s as { is_processing?: boolean }).is_processing === true).length;
  }
  return { stats, counters };
}

export function ollamaStats(ps: unknown): LlmStats {
  const stats = empty();
  const models = (ps as { models?: Array<{ name?: string; size_vram?: number; expires_at?: string }> })?.models;
  stats.loadedModels = Array.isArray(models) ? models.map((m) => ({ name: m.name ?? '?', sizeVramBytes: m.size_vram ?? 0, expiresAt: m.expires_at ?? null })) : [];
  return stats;
}

const round = (n: number) => Math.round(n * 10) / 10;

async function getJson(host: string, port: number, path: string): Promise<{ status: number; json: unknown; body: string }> {
  const res = await httpGet(host, port, path, 1500);
  let json: unknown = null;
  try {
    json = JSON.parse(res.body);
  } catch {
    // not JSON (e.g. /metrics)
  }
  return { status: res.status, json, body: res.body };
}

/** Samples one server's stats over HTTP; null when it does not answer. */
export async function sampleLlmStats(kind: string, host: string, port: number, previous: Counters | null): Promise<{ stats: LlmStats; counters: Counters | null } | null> {
  try {
    if (kind === 'llama-server') {
      const [metrics, slots] = await Promise.all([getJson(host, port, '/metrics'), getJson(host, port, '/slots').catch(() => null)]);
      const parsed = metrics.status === 200 ? parsePrometheus(metrics.body) : null;
      return llamaServerStats(parsed, slots?.status === 200 ? slots.json : null, previous, Date.now());
    }
    if (kind === 'ollama') {
      const ps = await getJson(host, port, '/api/ps');
      return { stats: ollamaStats(ps.json), counters: null };
    }
  } catch {
    return null;
  }
  return null;
}

export type { Counters as LlmCounters };
