import { formatBytes, formatDuration } from '../config/durations.js';
import { answersLike, counterRates, emptyStats, getJson, type LlmStats } from '../models/llm-stats.js';
import { commandLine, HAS_PROC_IO, writeCalls } from '../process/proc-io.js';
import type { ServiceStatus } from '../protocol/messages.js';
import { isServing } from '../protocol/service-state.js';
import { HttpTimeout, httpPost } from '../shared/http-get.js';
import { seconds } from './inference.js';
import type { InferenceCheck, InferenceSample, InFlightCount, KindInit, KindPreset, ModelsReport, ServerKind } from './kind.js';
import { commandHealth } from './command-health.js';

/** `ollama serve` with OLLAMA_HOST={host}:{port}: /api/version, /api/tags (installed), /api/ps (loaded, VRAM). */

export interface OllamaModels extends ModelsReport {
  installed: Array<{ name: string; sizeBytes: number; family: string | null; parameterSize: string | null; quantization: string | null }> | null;
  loaded: Array<{ name: string; sizeVramBytes: number; expiresAt: string | null }> | null;
}

/** `GET /api/ps` → the models loaded now. Pure. */
export function ollamaStats(ps: unknown): LlmStats {
  const stats = emptyStats();
  const models = (ps as { models?: Array<{ name?: string; size_vram?: number; expires_at?: string }> })?.models;
  stats.loadedModels = Array.isArray(models) ? models.map((m) => ({ name: m.name ?? '?', sizeVramBytes: m.size_vram ?? 0, expiresAt: m.expires_at ?? null })) : [];
  return stats;
}

/**
 * The port of an ollama runner, the child process that holds one loaded model and generates for `ollama serve`:
 * `ollama runner [--ollama-engine] --model BLOB --port N` (0.4 and later; Go, whose socket writes /proc counts).
 * Null for any other process, the C++ `ollama_llama_server` of older releases included: it sends with send(),
 * which /proc/PID/io does not count. Pure.
 */
export function runnerPort(argv: string[]): number | null {
  const isRunner = argv.slice(0, 3).includes('runner');
  const at = argv.indexOf('--port');
  const port = at >= 0 ? Number(argv[at + 1]) : NaN;
  return isRunner && Number.isInteger(port) && port > 0 ? port : null;
}

export interface Runner {
  pid: number;
  port: number;
  /** Its write calls so far: it streams each token to `ollama serve` in one write. */
  writes: number;
}

/** The runners among `pids`, with their write counts now. */
export function findRunners(pids: number[]): Runner[] {
  const out: Runner[] = [];
  for (const pid of pids) {
    const port = runnerPort(commandLine(pid) ?? []);
    const writes = port === null ? null : writeCalls(pid);
    if (port !== null && writes !== null) out.push({ pid, port, writes });
  }
  return out;
}

/** Below this many tokens per second (estimated from writes), a runner is answering checks, not generating. */
const GENERATING_RATE = 1;

/** Fewer writes than this in a window are a health answer or a log line, not tokens being generated. */
export const GENERATION_WRITES = 3;

/**
 * Inference liveness of ollama, which has no metrics: each loaded model is a runner process that writes one chunk
 * per generated token to `ollama serve`, so its write calls (/proc/PID/io) are its token counter.
 * - A runner that wrote since the last check is generating: alive, nothing sent (costs nothing when busy).
 * - A quiet one (idle, or wedged) gets one 1-token request on its own port: alive if answered, or if it wrote tokens
 *   for others while ours waited in its queue; stalled if `timeoutMs` passed with neither.
 * The request goes to the runner, not to `ollama serve`: it never loads a model (no runner, no check), never
 * reloads one with other options, and leaves the model's keep-alive alone. A runner first seen is only counted.
 */
export async function checkRunners(
  runners: Runner[],
  writesNow: (pid: number) => number | null,
  probe: (port: number, timeoutMs: number) => Promise<void>,
  previous: InferenceSample | null,
  timeoutMs: number,
  now: number,
): Promise<InferenceCheck> {
  if (runners.length === 0) return { result: 'unknown', reason: 'no model loaded (no runner process): nothing to check', sample: null };
  const before = previous?.perProcess ?? {};
  const results = await Promise.all(
    runners.map(async (r): Promise<{ pid: number; writes: number; result: InferenceCheck['result']; reason?: string }> => {
      const last = before[r.pid];
      if (last === undefined) return { pid: r.pid, writes: r.writes, result: 'unknown', reason: 'runner first seen' };
      if (r.writes - last >= GENERATION_WRITES) return { pid: r.pid, writes: r.writes, result: 'ok' };
      try {
        await probe(r.port, timeoutMs);
        return { pid: r.pid, writes: writesNow(r.pid) ?? r.writes, result: 'ok' };
      } catch (error) {
        const after = writesNow(r.pid) ?? r.writes;
        if (!(error instanceof HttpTimeout)) return { pid: r.pid, writes: after, result: 'unknown', reason: `the 1-token request failed: ${(error as Error).message}` };
        if (after - r.writes >= GENERATION_WRITES) return { pid: r.pid, writes: after, result: 'ok' }; // queued behind requests that generate
        return { pid: r.pid, writes: after, result: 'fail', reason: `inference stalled: ollama's runner (pid ${r.pid}, port ${r.port}) generated no token in ${seconds(timeoutMs)} s, and a 1-token request got no answer` };
      }
    }),
  );
  const perProcess = Object.fromEntries(results.map((r) => [r.pid, r.writes]));
  const sample: InferenceSample = { progress: results.reduce((sum, r) => sum + r.writes, 0), progressAt: now, perProcess };
  const failed = results.find((r) => r.result === 'fail');
  if (failed) return { result: 'fail', reason: failed.reason, sample };
  if (results.some((r) => r.result === 'ok')) return { result: 'ok', sample };
  return { result: 'unknown', reason: results[0]!.reason, sample };
}

/** How long the drain watches ollama's runners' writes before it says whether they generate. */
export const RUNNER_WINDOW_MS = 1000;

/** What the drain remembers of ollama's runners between two counts (in ServerTarget.notes). */
interface RunnerBaseline {
  at: number;
  writes: Record<number, number>;
}

/**
 * ollama does not say how many requests it serves (no metrics; /api/ps lists loaded models, not requests). Its
 * runners do show whether they generate: one write per token. Each runner that wrote at least GENERATION_WRITES
 * times over RUNNER_WINDOW_MS counts as one request in flight, a lower bound (a runner serving two at once, or
 * requests queued for a model that loads, are not seen). The first call, and each call less than a window after
 * the last count, only samples (count null, retry). Pure, but for `notes`, which it updates.
 */
export function runnersInFlight(runners: Runner[], notes: Record<string, unknown>, now: number): InFlightCount {
  if (runners.length === 0) return { count: 0, reason: 'no model loaded (no runner process): nothing generates' };
  const base = notes.runners as RunnerBaseline | undefined;
  const sample = { at: now, writes: Object.fromEntries(runners.map((r) => [r.pid, r.writes])) };
  if (!base) {
    notes.runners = sample;
    return { count: null, retry: true, reason: "watching its runners' writes" };
  }
  if (now - base.at < RUNNER_WINDOW_MS) return { count: null, retry: true, reason: "watching its runners' writes" };
  notes.runners = sample;
  const generating = runners.filter((r) => base.writes[r.pid] !== undefined && r.writes - base.writes[r.pid]! >= GENERATION_WRITES).length;
  return { count: generating, reason: 'ollama does not count its requests: each runner that generates counts as one' };
}

/** The 1-token request a runner takes (the Go runner reads `options`, the older llama.cpp one `n_predict`). */
async function probeRunner(port: number, timeoutMs: number): Promise<void> {
  const res = await httpPost('127.0.0.1', port, '/completion', { prompt: '1', n_predict: 1, options: { num_predict: 1 } }, timeoutMs);
  if (res.status !== 200) throw new Error(`POST /completion on the runner's port ${port} answered ${res.status}`);
}

const running = (s: ServiceStatus) => isServing(s.state);

async function json(s: ServiceStatus, path: string): Promise<any> {
  if (s.port === null) throw new Error('no port configured');
  const res = await getJson(s.host, s.port, path, 3000);
  if (res.status !== 200) throw new Error(`GET ${path} answered ${res.status}`);
  return res.json;
}

/** ollama's gin logs `[GIN] … | 200 | 0s | 127.0.0.1 | GET "/api/version"`: llama-top asks only these three. */
const OWN_REQUEST = /^\[GIN\] .*\| GET +"\/api\/(version|ps|tags)"\s*$/;

const server: ServerKind = {
  isServer: (host, port) => answersLike(host, port, '/api/version', /"version"/),

  ownRequests: (lines) => lines.map((line) => OWN_REQUEST.test(line)),

  async sampleStats({ host, port, pids }, previous, now) {
    try {
      const stats = ollamaStats((await getJson(host, port, '/api/ps')).json);
      // ollama counts no tokens for anyone but the client; its runners' writes, one per token, stand for them.
      const runners = findRunners(pids());
      if (runners.length === 0) return { stats, counters: null };
      const rates = counterRates(0, runners.reduce((sum, r) => sum + r.writes, 0), previous, now);
      stats.generationTokensPerSecond = rates.generation;
      stats.generationEstimated = true;
      return { stats, counters: rates.counters };
    } catch {
      return null;
    }
  },

  summary(s, now, short) {
    const loaded = s.llm?.loadedModels;
    if (!loaded) return '';
    if (loaded.length === 0) return 'no model loaded';
    const left = (at: string | null) => (at ? formatDuration(Math.max(0, Date.parse(at) - now)) : null);
    const models = loaded.map((m) => `${m.name}${left(m.expiresAt) ? (short ? ` ${left(m.expiresAt)}` : ` (${left(m.expiresAt)} left)`) : ''}`).join(', ');
    // Estimated from the runners' writes (see sampleStats): "≈", and only once it is more than a check's own tokens.
    const rate = s.llm?.generationTokensPerSecond;
    return rate != null && rate >= GENERATING_RATE ? `${models}${short ? ' ' : ' · '}≈${rate} tok/s` : models;
  },

  async listModels(_cfg, s): Promise<OllamaModels> {
    if (!running(s)) return { service: s.name, kind: 'ollama', installed: null, loaded: null, error: `${s.name} is ${s.state}` };
    try {
      const [tags, ps] = await Promise.all([json(s, '/api/tags'), json(s, '/api/ps')]);
      return {
        service: s.name,
        kind: 'ollama',
        installed: (tags.models ?? []).map((m: any) => ({
          name: m.name,
          sizeBytes: m.size ?? 0,
          family: m.details?.family ?? null,
          parameterSize: m.details?.parameter_size ?? null,
          quantization: m.details?.quantization_level ?? null,
        })),
        loaded: (ps.models ?? []).map((m: any) => ({ name: m.name, sizeVramBytes: m.size_vram ?? 0, expiresAt: m.expires_at ?? null })),
        error: null,
      };
    } catch (e) {
      return { service: s.name, kind: 'ollama', installed: null, loaded: null, error: (e as Error).message };
    }
  },

  async servedNames(host, port) {
    const tags = await getJson(host, port, '/api/tags', 2000);
    if (tags.status !== 200) throw new Error(`GET /api/tags answered ${tags.status}`);
    return ((tags.json as { models?: Array<{ name?: string }> } | null)?.models ?? []).flatMap((m) => (m.name ? [m.name] : []));
  },

  ownApiPrefix: '/api/',

  async checkInference(target, previous, timeoutMs, now) {
    if (!HAS_PROC_IO) return { result: 'unknown', reason: "ollama's runners are watched through /proc/PID/io, which this system lacks", sample: null };
    return checkRunners(findRunners(target.pids()), writeCalls, probeRunner, previous, timeoutMs, now);
  },

  async requestsInFlight(target) {
    if (!HAS_PROC_IO) return { count: null, reason: "ollama does not count its requests, and its runners' writes are read from /proc/PID/io, which this system lacks: only requests through the endpoint are counted" };
    return runnersInFlight(findRunners(target.pids()), (target.notes ??= {}), Date.now());
  },

  formatModels(report, now) {
    const m = report as OllamaModels;
    const out = [`${m.service} (ollama)${m.error ? `  [${m.error}]` : ''}`];
    for (const i of m.installed ?? []) {
      const loaded = m.loaded?.find((l) => l.name === i.name);
      const where = loaded ? `  loaded, ${formatBytes(loaded.sizeVramBytes)} in VRAM${loaded.expiresAt ? `, unloads in ${formatDuration(Math.max(0, Date.parse(loaded.expiresAt) - now))}` : ''}` : '';
      out.push(`  ${i.name.padEnd(24)} ${formatBytes(i.sizeBytes).padStart(6)}  ${(i.family ?? '-').padEnd(8)} ${(i.parameterSize ?? '-').padEnd(8)} ${i.quantization ?? '-'}${where}`);
    }
    if (m.installed?.length === 0) out.push('  no model installed (ollama pull NAME)');
    return out;
  },
};

const init: KindInit = {
  binary: 'ollama',
  service: 'ollama',
  render({ binary, chat }) {
    const port = chat?.ollamaPort ?? 11434;
    if (binary) return { written: true, note: null, yaml: [`  # ollama found at ${binary}`, '  ollama:', '    kind: ollama', `    port: ${port}`] };
    return { written: false, note: 'ollama: not found on PATH (left as a comment)', yaml: ['  # ollama: not found on PATH. To add it:', '  # ollama:', '  #   kind: ollama', `  #   port: ${port}`] };
  },
};

export const ollamaKind: KindPreset = {
  defaultPort: 11434,
  validate: () => [],
  argv: ({ commandWords, args }) => [...(commandWords ?? ['ollama']), 'serve', ...args],
  env: ({ host, port }) => ({ OLLAMA_HOST: `${host}:${port}` }),
  health: (raw) => (raw.health?.command ? commandHealth(raw.health.command) : { type: 'http', path: raw.health?.http ?? '/api/version' }),
  server,
  init,
};
