import { formatBytes, formatDuration } from '../config/durations.js';
import { answersLike, emptyStats, getJson, type LlmStats } from '../models/llm-stats.js';
import type { ServiceStatus } from '../protocol/messages.js';
import type { KindInit, KindPreset, ModelsReport, ServerKind } from './kind.js';
import { commandHealth } from './llama-server.js';

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

const running = (s: ServiceStatus) => s.state === 'ready' || s.state === 'external';

async function json(s: ServiceStatus, path: string): Promise<any> {
  if (s.port === null) throw new Error('no port configured');
  const res = await getJson(s.host, s.port, path, 3000);
  if (res.status !== 200) throw new Error(`GET ${path} answered ${res.status}`);
  return res.json;
}

const server: ServerKind = {
  isServer: (host, port) => answersLike(host, port, '/api/version', /"version"/),

  async sampleStats(host, port) {
    try {
      return { stats: ollamaStats((await getJson(host, port, '/api/ps')).json), counters: null };
    } catch {
      return null;
    }
  },

  summary(s, now, short) {
    const loaded = s.llm?.loadedModels;
    if (!loaded) return '';
    if (loaded.length === 0) return 'no model loaded';
    const left = (at: string | null) => (at ? formatDuration(Math.max(0, Date.parse(at) - now)) : null);
    return loaded.map((m) => `${m.name}${left(m.expiresAt) ? (short ? ` ${left(m.expiresAt)}` : ` (${left(m.expiresAt)} left)`) : ''}`).join(', ');
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
