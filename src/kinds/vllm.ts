import { answersLike, counterRates, emptyStats, getJson, type LlmCounters, type LlmStats } from '../models/llm-stats.js';
import { parsePrometheus } from '../models/prometheus.js';
import type { ServiceStatus } from '../protocol/messages.js';
import { isServing } from '../protocol/service-state.js';
import { HttpTimeout, httpGet, httpPost } from '../shared/http-get.js';
import { checkByCounters, countersFromMetrics } from './inference.js';
import { inFlightFromGauges } from './in-flight.js';
import type { KindInit, KindPreset, ModelsReport, ServerKind } from './kind.js';
import { commandHealth } from './command-health.js';

/**
 * vLLM's OpenAI-compatible server: `vllm serve MODEL --host --port`. It listens only once the model is loaded, then
 * answers GET /health 200; /version, /v1/models, and Prometheus /metrics with vllm:* series.
 */

export interface VllmModels extends ModelsReport {
  /** `GET /v1/models`: id and max_model_len of each. */
  served: Array<{ id: string; maxModelLen: number | null }> | null;
  model: string | null;
}

/** /metrics → running/waiting requests, token throughput, KV-cache use. Pure. */
export function vllmStats(metrics: Map<string, number> | null, previous: LlmCounters | null, now: number): { stats: LlmStats; counters: LlmCounters | null } {
  const stats = emptyStats();
  stats.metricsEnabled = metrics !== null;
  if (!metrics) return { stats, counters: null };
  stats.requestsProcessing = metrics.get('vllm:num_requests_running') ?? null;
  stats.requestsDeferred = metrics.get('vllm:num_requests_waiting') ?? null;
  const usage = metrics.get('vllm:gpu_cache_usage_perc') ?? metrics.get('vllm:kv_cache_usage_perc');
  stats.kvCacheUsage = usage === undefined ? null : usage;
  const rates = counterRates(metrics.get('vllm:prompt_tokens_total'), metrics.get('vllm:generation_tokens_total'), previous, now);
  stats.promptTokensPerSecond = rates.prompt;
  stats.generationTokensPerSecond = rates.generation;
  return { stats, counters: rates.counters };
}

const running = (s: ServiceStatus) => isServing(s.state);

const server: ServerKind = {
  isServer: (host, port) => answersLike(host, port, '/version', /"version"/),

  async sampleStats({ host, port }, previous, now) {
    try {
      const res = await getJson(host, port, '/metrics');
      return vllmStats(res.status === 200 ? parsePrometheus(res.body) : null, previous, now);
    } catch {
      return null;
    }
  },

  summary(s, _now, short) {
    const llm = s.llm;
    if (!llm) return '';
    const parts: string[] = [];
    if (llm.generationTokensPerSecond != null) parts.push(`${llm.generationTokensPerSecond} tok/s`);
    if (llm.requestsProcessing != null) parts.push(short ? `${llm.requestsProcessing} running` : `${llm.requestsProcessing} running`);
    if (llm.requestsDeferred) parts.push(`${llm.requestsDeferred} waiting`);
    if (llm.kvCacheUsage != null) parts.push(`KV ${Math.round(llm.kvCacheUsage * 100)}%`);
    if (short && s.model) parts.push(s.model);
    return parts.join(short ? ' ' : ' · ');
  },

  async listModels(cfg, s): Promise<VllmModels> {
    const base = { service: s.name, kind: 'vllm', model: cfg.model ?? null };
    if (!running(s) || s.port === null) return { ...base, served: null, error: `${s.name} is ${s.state}` };
    try {
      const res = await getJson(s.host, s.port, '/v1/models', 3000);
      if (res.status !== 200) throw new Error(`GET /v1/models answered ${res.status}`);
      const data = (res.json as { data?: Array<{ id: string; max_model_len?: number }> }).data ?? [];
      return { ...base, served: data.map((m) => ({ id: m.id, maxModelLen: m.max_model_len ?? null })), error: null };
    } catch (e) {
      return { ...base, served: null, error: (e as Error).message };
    }
  },

  checkInference({ host, port }, previous, timeoutMs, now) {
    return checkByCounters(
      countersFromMetrics((timeoutMs) => httpGet(host, port, '/metrics', timeoutMs), 'vllm:num_requests_running', ['vllm:generation_tokens_total', 'vllm:prompt_tokens_total']),
      async (timeout) => {
        const models = await getJson(host, port, '/v1/models', timeout);
        const id = (models.json as { data?: Array<{ id: string }> })?.data?.[0]?.id;
        if (!id) throw new Error('GET /v1/models names no model');
        const res = await httpPost(host, port, '/v1/completions', { model: id, prompt: '1', max_tokens: 1 }, timeout);
        if (res.status !== 200) throw new Error(`POST /v1/completions answered ${res.status}`);
      },
      previous,
      timeoutMs,
      now,
    );
  },

  // Running and waiting requests, both from its Prometheus /metrics.
  async requestsInFlight({ host, port }) {
    try {
      const res = await httpGet(host, port, '/metrics', 2000);
      if (res.status !== 200) return { count: null, reason: `GET /metrics answered ${res.status}: only requests through the endpoint are counted` };
      return inFlightFromGauges(parsePrometheus(res.body), 'vllm:num_requests_running', ['vllm:num_requests_waiting']);
    } catch (error) {
      if (error instanceof HttpTimeout) return { count: null, retry: true, reason: 'GET /metrics not answered in 2 s' };
      return { count: 0, reason: `it does not answer (${(error as Error).message}): nothing in flight there` };
    }
  },

  formatModels(report) {
    const m = report as VllmModels;
    const out = [`${m.service} (vllm)${m.error ? `  [${m.error}]` : ''}`];
    for (const served of m.served ?? []) out.push(`  ${served.id}${served.maxModelLen ? `  context ${served.maxModelLen}` : ''}`);
    return out;
  },
};

const init: KindInit = {
  binary: 'vllm',
  service: 'vllm',
  // Only when found: most machines have no vLLM, and a commented example for it would be noise.
  render: ({ binary }) =>
    binary
      ? {
          written: true,
          note: 'vllm: set services.vllm.model to the model to serve',
          yaml: [`  # vllm found at ${binary}`, '  vllm:', '    kind: vllm', '    model: Qwen/Qwen2.5-1.5B-Instruct   # TODO: the model to serve (a Hugging Face name or a directory)', '    port: 8000', '    startTimeout: 600s'],
        }
      : { written: false, note: null, yaml: [] },
};

export const vllmKind: KindPreset = {
  defaultPort: 8000,
  modelMayBeName: true,
  validate: (raw) => (raw.model ? [] : [{ key: 'model', message: 'vllm needs a model: a Hugging Face name (Qwen/Qwen2.5-1.5B-Instruct) or a local directory' }]),
  argv: ({ commandWords, raw, host, port, args }) => [...(commandWords ?? ['vllm']), 'serve', raw.model!, '--host', host, '--port', String(port), ...args],
  env: () => ({}),
  health: (raw) => (raw.health?.command ? commandHealth(raw.health.command) : { type: 'http', path: raw.health?.http ?? '/health' }),
  server,
  init,
};
