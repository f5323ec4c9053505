import fs from 'node:fs';
import path from 'node:path';
import { configRelative as rel } from '../config/relative-path.js';
import { formatBytes } from '../config/durations.js';
import { GgufError, formatParameters, readGguf, type GgufInfo } from '../models/gguf.js';
import { counterRates, emptyStats, getJson, round, type LlmCounters, type LlmStats } from '../models/llm-stats.js';
import { parsePrometheus } from '../models/prometheus.js';
import type { ServiceStatus } from '../protocol/messages.js';
import { isServing } from '../protocol/service-state.js';
import { httpPost, HttpTimeout } from '../shared/http-get.js';
import { commandHealth } from './command-health.js';
import { checkByCounters, countersFromMetrics } from './inference.js';
import { inFlightFromGauges } from './in-flight.js';
import { askMetrics, crowded, judgeUnansweredMetrics } from './llama-server-loop.js';
import { ownRequestLines } from './llama-server-probes.js';
import type { KindInit, KindPreset, ModelsReport, ServerKind } from './kind.js';

/** llama.cpp's llama-server: `llama-server -m MODEL --host --port --metrics`, 503 while loading, Prometheus /metrics. */

export interface LlamaServerModels extends ModelsReport {
  /** `GET /v1/models` ids, or null when the server does not answer. */
  served: string[] | null;
  file: string | null;
  gguf: Omit<GgufInfo, 'metadata'> | null;
  ggufError: string | null;
  /** Router mode: every model of --models-dir with its status (loaded, loading, unloaded, failed). */
  router: Array<{ id: string; status: string }> | null;
}

/**
 * Figures from /metrics, /slots and /props. Busy and total slots: /slots lists them where it is on (newer builds by
 * default; build 4748 answers 501 unless started with --slots), else /props `total_slots` and the metrics'
 * requests_processing. Token rates: throughput from counter deltas, and the server's own per-request speed. Pure.
 */
export function llamaServerStats(
  /** null: off (501); 'unanswered': asked, no answer yet (a busy or stuck main loop) */
  metrics: Map<string, number> | null | 'unanswered',
  slots: unknown,
  props: unknown,
  previous: LlmCounters | null,
  now: number,
  models: unknown = null,
): { stats: LlmStats; counters: LlmCounters | null } {
  const stats = emptyStats();
  const sleeping = (props as { is_sleeping?: unknown } | null)?.is_sleeping;
  stats.sleeping = typeof sleeping === 'boolean' ? sleeping : null;
  const listed = (models as { data?: Array<{ id?: string; status?: { value?: string; failed?: boolean } }> } | null)?.data;
  if (Array.isArray(listed) && listed.some((m) => m.status?.value))
    stats.routerModels = listed.map((m) => ({ id: m.id ?? '?', status: m.status?.failed ? 'failed' : (m.status?.value ?? 'unknown') }));
  stats.metricsEnabled = metrics === 'unanswered' ? null : metrics !== null;
  if (metrics === 'unanswered') stats.unanswered = true;
  let counters: LlmCounters | null = null;
  if (metrics instanceof Map) {
    stats.requestsProcessing = metrics.get('llamacpp:requests_processing') ?? null;
    stats.requestsDeferred = metrics.get('llamacpp:requests_deferred') ?? null;
    const rates = counterRates(metrics.get('llamacpp:prompt_tokens_total'), metrics.get('llamacpp:tokens_predicted_total'), previous, now);
    counters = rates.counters;
    stats.promptTokensPerSecond = rates.prompt;
    stats.generationTokensPerSecond = rates.generation;
    // tokens_predicted_total moves only when a request ends: 0 tok/s all through a long answer, then a spike. Decode
    // steps move while it generates, each one token per busy slot: that estimate, marked as one; no step, no token.
    const decodes = metrics.get('llamacpp:n_decode_total');
    if (counters && decodes !== undefined) {
      counters.decodes = decodes;
      const seconds = previous ? (now - previous.at) / 1000 : 0;
      if (previous?.decodes !== undefined && seconds > 0 && decodes >= previous.decodes) {
        const steps = (decodes - previous.decodes) / seconds;
        stats.generationTokensPerSecond = round(steps * Math.max(1, stats.requestsProcessing ?? 1));
        if (steps > 0) stats.generationEstimated = true;
      }
    }
    const perRequest = metrics.get('llamacpp:predicted_tokens_seconds');
    stats.requestTokensPerSecond = perRequest === undefined || perRequest === 0 ? null : Math.round(perRequest * 10) / 10;
  }
  if (Array.isArray(slots)) {
    stats.slotsTotal = slots.length;
    stats.slotsBusy = slots.filter((s) => (s as { is_processing?: boolean }).is_processing === true).length;
  } else {
    const total = (props as { total_slots?: unknown } | null)?.total_slots;
    if (typeof total === 'number') {
      stats.slotsTotal = total;
      stats.slotsBusy = stats.requestsProcessing === null ? null : Math.min(total, stats.requestsProcessing);
    }
  }
  return { stats, counters };
}

const running = (s: ServiceStatus) => isServing(s.state);

/** What a sample remembers of the server's run (see ServerTarget.notes). */
interface SampleNotes {
  /** /props as first answered (null: not 200). */
  props?: unknown;
  /** /props says is_sleeping, which changes: asked every sample. */
  propsLive?: boolean;
  /** Without a known model: /models lists models with a status (router mode), asked every sample. */
  router?: boolean;
  /** /slots answered other than 200 (501 on b4748 without --slots). */
  slotsOff?: boolean;
}

const isRouterList = (models: unknown) => {
  const listed = (models as { data?: Array<{ status?: { value?: string } }> } | null)?.data;
  return Array.isArray(listed) && listed.some((m) => m.status?.value !== undefined);
};

/** How long the drain waits for /metrics before asking again. */
const IN_FLIGHT_WAIT_MS = 2000;

/** How long a stats sample waits for /metrics. */
const SAMPLE_WAIT_MS = 1500;

const server: ServerKind = {
  async isServer(host, port) {
    try {
      const res = await getJson(host, port, '/health');
      if (res.status === 200) return /"status"\s*:\s*"ok"/.test(res.body);
      return res.status === 503 && /unavailable_error|Loading model/i.test(res.body);
    } catch {
      return false;
    }
  },

  ownRequests: ownRequestLines,

  async sampleStats(target, previous, now) {
    const { host, port } = target;
    const notes = (target.notes ?? {}) as SampleNotes;
    const ok = (r: { status: number; json: unknown } | null) => (r?.status === 200 ? r.json : null);
    try {
      // Asked only what can have changed since the last sample: /metrics always; /props once (again only where it
      // says is_sleeping), /models once (again only in router mode), /slots only without metrics and never after 501.
      // /props and /models are answered by the HTTP threads alone; /metrics and /slots wait for the main loop.
      const [metrics, props, models] = await Promise.all([
        askMetrics(target, SAMPLE_WAIT_MS).catch((error) => {
          if (error instanceof HttpTimeout) return 'unanswered' as const;
          throw error;
        }),
        notes.props === undefined || notes.propsLive ? getJson(host, port, '/props').catch(() => null) : null,
        target.model === null || (target.model === undefined && notes.router !== false) ? getJson(host, port, '/models').catch(() => null) : null, // router mode: each model's status (older builds: 404)
      ]);
      if (props) {
        notes.props = ok(props);
        notes.propsLive = typeof (notes.props as { is_sleeping?: unknown } | null)?.is_sleeping === 'boolean';
      }
      if (models && target.model === undefined) notes.router = isRouterList(ok(models));
      const metricsOff = metrics !== 'unanswered' && metrics.status !== 200;
      const slots = metricsOff && !notes.slotsOff ? await getJson(host, port, '/slots').catch(() => null) : null;
      if (slots && slots.status !== 200) notes.slotsOff = true; // 501 (b4748 without --slots): not again this run
      return llamaServerStats(metrics === 'unanswered' ? metrics : metrics.status === 200 ? parsePrometheus(metrics.body) : null, ok(slots), notes.props ?? null, previous, now, models ? ok(models) : null);
    } catch {
      return null;
    }
  },

  summary(s, _now, short) {
    const llm = s.llm;
    const parts: string[] = [];
    // Asleep (--sleep-idle-seconds): the model is unloaded on purpose and comes back with the next request.
    if (llm?.sleeping) return short ? 'sleeping' : 'sleeping (model unloaded while idle; the next request loads it)';
    if (!s.model && llm?.routerModels) {
      const byStatus = (status: string) => llm.routerModels!.filter((m) => m.status === status).map((m) => m.id);
      const loaded = byStatus('loaded');
      const rest = ['loading', 'failed', 'unloaded'].flatMap((st) => (byStatus(st).length ? [`${byStatus(st).length} ${st}`] : []));
      parts.push(`router: ${loaded.length ? loaded.join(', ') : 'no model loaded'}${rest.length ? ` (${rest.join(', ')})` : ''}`);
    }
    if (llm?.unanswered) parts.push(short ? 'busy: no figures' : 'busy or stuck: /metrics not answered yet');
    else if (llm?.metricsEnabled === false) parts.push(short ? '(no --metrics)' : 'metrics off (add --metrics)');
    else if (llm?.generationTokensPerSecond != null) parts.push(`${llm.generationEstimated ? '≈' : ''}${llm.generationTokensPerSecond} tok/s`);
    if (!short && llm?.requestTokensPerSecond != null) parts.push(`${llm.requestTokensPerSecond} tok/s per request`);
    if (llm?.slotsTotal != null) parts.push(short ? `${llm.slotsBusy ?? '?'}/${llm.slotsTotal} busy` : `${llm.slotsBusy ?? '?'}/${llm.slotsTotal} slots busy`);
    if (!short && llm?.requestsDeferred) parts.push(`${llm.requestsDeferred} queued`);
    if (short && s.gpuMemoryBytes) parts.push(`gpu ${formatBytes(s.gpuMemoryBytes)}`);
    if (short && s.model) parts.push(path.basename(s.model));
    return parts.join(short ? ' ' : ' · ');
  },

  async listModels(cfg, s): Promise<LlamaServerModels> {
    let gguf: LlamaServerModels['gguf'] = null;
    let ggufError: string | null = null;
    if (cfg.model) {
      try {
        const { metadata: _metadata, ...info } = readGguf(cfg.model);
        gguf = info;
      } catch (error) {
        ggufError = error instanceof GgufError ? error.message : `${cfg.model}: ${(error as Error).message}`;
      }
    }
    let served: string[] | null = null;
    let router: LlamaServerModels['router'] = null;
    let error: string | null = running(s) ? null : `${s.name} is ${s.state}`;
    if (running(s) && s.port !== null) {
      try {
        const res = await getJson(s.host, s.port, '/v1/models', 3000);
        if (res.status !== 200) throw new Error(`GET /v1/models answered ${res.status}`);
        served = ((res.json as { data?: Array<{ id: string }> }).data ?? []).map((m) => m.id);
        if (!cfg.model) {
          const models = await getJson(s.host, s.port, '/models', 3000).catch(() => null);
          const data = (models?.json as { data?: Array<{ id: string; status?: { value?: string; failed?: boolean } }> } | null)?.data;
          if (Array.isArray(data)) router = data.map((m) => ({ id: m.id, status: m.status?.failed ? 'failed' : (m.status?.value ?? 'unknown') }));
        }
      } catch (e) {
        error = (e as Error).message;
      }
    }
    return { service: s.name, kind: 'llama-server', served, router, file: cfg.model ?? null, gguf, ggufError, error };
  },

  formatModels(report) {
    const m = report as LlamaServerModels;
    if (m.router) return [`${m.service} (llama-server, router mode)${m.error ? `  [${m.error}]` : ''}`, ...m.router.map((r) => `  ${r.id.padEnd(32)} ${r.status}`)];
    const out = [`${m.service} (llama-server)${m.served ? `: serves ${m.served.join(', ') || 'nothing'}` : ''}${m.error ? `  [${m.error}]` : ''}`];
    if (m.gguf) {
      const g = m.gguf;
      out.push(`  file          ${g.file} (${formatBytes(g.fileSize)})`);
      out.push(`  name          ${g.name ?? '-'}`);
      out.push(`  architecture  ${g.architecture ?? '-'}`);
      out.push(`  parameters    ${formatParameters(g.parameterCount)}`);
      out.push(`  quantization  ${g.fileType ?? '-'}`);
      out.push(`  context       ${g.contextLength ?? '-'}`);
    } else if (m.ggufError) out.push(`  ${m.ggufError}`);
    return out;
  },

  modelsFailed: (report) => (report as LlamaServerModels).ggufError !== null,

  async checkInference(target, previous, timeoutMs, now) {
    const { host, port } = target;
    // A build that can sleep (--sleep-idle-seconds; /props has is_sleeping) counts our 1-token request as activity:
    // it would never fall asleep. There, only a busy server is judged (by its counters), and a sleeping one never.
    const sleeping = (await getJson(host, port, '/props').catch(() => null))?.json as { is_sleeping?: unknown } | null;
    const canSleep = typeof sleeping?.is_sleeping === 'boolean';
    if (sleeping?.is_sleeping === true) return { result: 'unknown', reason: 'asleep: not woken to be checked', sample: null };
    return checkByCounters(
      // tokens_predicted_total moves only when a request ends and prompt_tokens_total when its prompt is read;
      // n_decode_total counts every llama_decode() step, so a single long generation shows progress too.
      countersFromMetrics((timeoutMs) => askMetrics(target, timeoutMs), 'llamacpp:requests_processing', ['llamacpp:n_decode_total', 'llamacpp:tokens_predicted_total', 'llamacpp:prompt_tokens_total']),
      canSleep
        ? null
        : async (timeout) => {
            const res = await httpPost(host, port, '/completion', { prompt: '1', n_predict: 1, cache_prompt: true }, timeout);
            if (res.status !== 200) throw new Error(`POST /completion answered ${res.status}`);
          },
      previous,
      timeoutMs,
      now,
      (waitedMs) => judgeUnansweredMetrics(target, waitedMs),
    );
  },

  // Build 4748's /metrics: requests_processing (busy slots) and requests_deferred (queued for a slot), computed by
  // the main loop between two decode steps, so it answers during a long generation too.
  async requestsInFlight(target) {
    try {
      const res = await askMetrics(target, IN_FLIGHT_WAIT_MS);
      if (res.status !== 200) return { count: null, reason: `GET /metrics answered ${res.status} (started without --metrics?): only requests through the endpoint are counted` };
      return inFlightFromGauges(parsePrometheus(res.body), 'llamacpp:requests_processing', ['llamacpp:requests_deferred']);
    } catch (error) {
      if (error instanceof HttpTimeout) return { count: null, retry: true, reason: `GET /metrics not answered in ${IN_FLIGHT_WAIT_MS / 1000} s (a busy or stuck main loop)` };
      return { count: 0, reason: `it does not answer (${(error as Error).message}): nothing in flight there` };
    }
  },

  // Builds before b5083 abort on every SIGTERM once shutdown is done: "cleaning up before exit...", then the HTTP
  // thread is destroyed while still joinable, so std::terminate ("terminate called without an active exception")
  // and SIGABRT. llama.cpp #12180, fixed by #12831 (b5083). The stop was clean: only its last step aborts.
  explainStopExit({ signal }, lines) {
    if (signal !== 'SIGABRT' || !lines.some((l) => l.includes('terminate called without an active exception'))) return null;
    return 'SIGABRT after SIGTERM: llama-server aborts on its way out once shut down (builds before b5083, llama.cpp #12180): a clean stop, not a crash';
  },

  async busyReason(target) {
    const crowd = crowded(target);
    return crowd ? `every HTTP thread serving a client (${crowd.clients.size} connected, ${crowd.threads} threads): /health waits its turn` : null;
  },
};

/** `.llama-proxy-config.json` (llama_server_host, llama_server_port, llama_model_path), when the directory has one. */
function proxyConfig(dir: string): { host: string | null; port: number | null; model: string | null } | null {
  try {
    const j = JSON.parse(fs.readFileSync(path.join(dir, '.llama-proxy-config.json'), 'utf8'));
    return {
      host: typeof j.llama_server_host === 'string' ? j.llama_server_host : null,
      port: Number.isInteger(j.llama_server_port) ? j.llama_server_port : null,
      model: typeof j.llama_model_path === 'string' ? j.llama_model_path : null,
    };
  } catch {
    return null;
  }
}

const init: KindInit = {
  binary: 'llama-server',
  service: 'llama',
  render({ dir, binary, models }) {
    const proxy = proxyConfig(dir);
    const model = proxy?.model ? path.resolve(dir, proxy.model) : models[0];
    if (binary && model)
      return {
        written: true,
        note: null,
        yaml: [
          `  # llama-server found at ${binary}${models.length > 1 ? `; other models in ./models: ${models.slice(1).map((m) => path.basename(m)).join(', ')}` : ''}`,
          '  llama:',
          '    kind: llama-server',
          `    model: ${rel(dir, model)}`,
          `    host: ${proxy?.host ?? '127.0.0.1'}`,
          `    port: ${proxy?.port ?? 8080}${proxy?.port ? '            # from .llama-proxy-config.json' : ''}`,
          '    # args: [-c, "4096", -ngl, "99"]   # appended to llama-server -m MODEL --host --port --metrics',
          '    startTimeout: 120s       # big models load slowly',
        ],
      };
    if (binary)
      // Found without a model: the service anyway, so the config works once the model is there.
      return {
        written: true,
        note: `llama: no GGUF model in ${path.join(dir, 'models')}: put one there and set services.llama.model`,
        yaml: [
          `  # llama-server found at ${binary}, but no GGUF model in ./models: put one there and set model: below`,
          '  llama:',
          '    kind: llama-server',
          '    model: ./models/your-model.gguf   # TODO: no GGUF model found: put one there and set its path here',
          '    port: 8080',
          '    autostart: false         # TODO: set to true (or remove) once model: names a GGUF file; `start` starts the rest',
          '    startTimeout: 120s',
        ],
      };
    return {
      written: false,
      note: 'llama-server: not found on PATH (left as a comment)',
      yaml: ['  # llama-server: not found on PATH. To add it:', '  # llama:', '  #   kind: llama-server', '  #   model: ./models/your-model.gguf', '  #   port: 8080'],
    };
  },
};

export const llamaServerKind: KindPreset = {
  defaultPort: 8080,
  validate(raw) {
    if (raw.model && raw.modelsDir) return [{ key: 'modelsDir', message: 'give model (one model) or modelsDir (router mode, newer llama-server builds), not both' }];
    return raw.model || raw.modelsDir ? [] : [{ key: 'model', message: 'llama-server needs a model: set model: ./models/your-model.gguf (or modelsDir: ./models for router mode)' }];
  },
  // The port is always given: the default moves from 8080 to 9931 in newer builds.
  argv({ commandWords, raw, host, port, args }) {
    const binary = commandWords ?? ['llama-server'];
    const models = raw.modelsDir ? ['--models-dir', raw.modelsDir] : ['-m', raw.model!];
    return [...binary, ...models, '--host', host, '--port', String(port), '--metrics', ...args];
  },
  env: () => ({}),
  // 503 {"error":{"message":"Loading model"}} while the model loads: "loading model", not a failure.
  health: (raw) => (raw.health?.command ? commandHealth(raw.health.command) : { type: 'http', path: raw.health?.http ?? '/health', loadingStatus: 503 }),
  server,
  init,
};
