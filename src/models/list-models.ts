import type { ServiceConfig } from '../config/types.js';
import type { ServiceStatus } from '../protocol/messages.js';
import { httpGet } from '../supervisor/http-get.js';
import { GgufError, readGguf, type GgufInfo } from './gguf.js';

export interface LlamaServerModels {
  service: string;
  kind: 'llama-server';
  /** `GET /v1/models` ids, or null when the server does not answer. */
  served: string[] | null;
  file: string | null;
  gguf: Omit<GgufInfo, 'metadata'> | null;
  ggufError: string | null;
  error: string | null;
}

export interface OllamaModels {
  service: string;
  kind: 'ollama';
  installed: Array<{ name: string; sizeBytes: number; family: string | null; parameterSize: string | null; quantization: string | null }> | null;
  loaded: Array<{ name: string; sizeVramBytes: number; expiresAt: string | null }> | null;
  error: string | null;
}

export type ServiceModels = LlamaServerModels | OllamaModels;

async function getJson(svc: ServiceStatus, path: string): Promise<any> {
  if (svc.port === null) throw new Error('no port configured');
  const res = await httpGet(svc.host, svc.port, path, 3000);
  if (res.status !== 200) throw new Error(`GET ${path} answered ${res.status}`);
  return JSON.parse(res.body);
}

const running = (s: ServiceStatus) => s.state === 'ready' || s.state === 'external';

export async function llamaServerModels(cfg: ServiceConfig, svc: ServiceStatus): Promise<LlamaServerModels> {
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
  let error: string | null = running(svc) ? null : `${svc.name} is ${svc.state}`;
  if (running(svc)) {
    try {
      served = ((await getJson(svc, '/v1/models')).data ?? []).map((m: { id: string }) => m.id);
    } catch (e) {
      error = (e as Error).message;
    }
  }
  return { service: svc.name, kind: 'llama-server', served, file: cfg.model ?? null, gguf, ggufError, error };
}

export async function ollamaModels(svc: ServiceStatus): Promise<OllamaModels> {
  if (!running(svc)) return { service: svc.name, kind: 'ollama', installed: null, loaded: null, error: `${svc.name} is ${svc.state}` };
  try {
    const [tags, ps] = await Promise.all([getJson(svc, '/api/tags'), getJson(svc, '/api/ps')]);
    return {
      service: svc.name,
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
    return { service: svc.name, kind: 'ollama', installed: null, loaded: null, error: (e as Error).message };
  }
}
