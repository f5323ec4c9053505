import fs from 'node:fs';
import { formatParameters, readGguf, type GgufInfo } from '../../models/gguf.js';
import type { RunningModel, ServedModel } from '../contract.js';

/**
 * What ollama's `/api/tags`, `/api/ps` and `/api/show` say about a model, from its GGUF header (llama-server's
 * `model:`). A model without a file (ollama's own, vLLM's) gets what llama-top knows: its name.
 */

export interface OllamaDetails {
  parent_model: string;
  format: string;
  family: string;
  families: string[] | null;
  parameter_size: string;
  quantization_level: string;
}

export interface ModelFacts {
  size: number;
  modifiedAt: Date;
  gguf: GgufInfo | null;
}

// Headers are read once per file version (path, size, mtime): a listing does not re-read a vocabulary each time.
const cache = new Map<string, { key: string; facts: ModelFacts }>();

/** The file's size, time and header; null without a file, the header null when it cannot be read. */
export function factsOf(file: string | null): ModelFacts | null {
  if (!file) return null;
  let stat: fs.Stats;
  try {
    stat = fs.statSync(file);
  } catch {
    return null;
  }
  const key = `${stat.size}:${stat.mtimeMs}`;
  const hit = cache.get(file);
  if (hit?.key === key) return hit.facts;
  let gguf: GgufInfo | null = null;
  try {
    gguf = readGguf(file);
  } catch {
    // not a readable GGUF: listed with its size and time only
  }
  const facts = { size: stat.size, modifiedAt: stat.mtime, gguf };
  cache.set(file, { key, facts });
  return facts;
}

export function detailsOf(facts: ModelFacts | null): OllamaDetails {
  const g = facts?.gguf ?? null;
  return {
    parent_model: '',
    format: g ? 'gguf' : '',
    family: g?.architecture ?? '',
    families: g?.architecture ? [g.architecture] : null,
    parameter_size: g && g.parameterCount > 0 ? formatParameters(g.parameterCount) : '',
    quantization_level: g?.fileType ?? '',
  };
}

/** One `/api/tags` entry. ollama's digest (a hash of its manifest) has no cheap equivalent for a GGUF: left out. */
export function tagOf(model: ServedModel, facts: ModelFacts | null): Record<string, unknown> {
  return {
    name: model.name,
    model: model.name,
    modified_at: (facts?.modifiedAt ?? new Date(0)).toISOString(),
    size: facts?.size ?? 0,
    details: detailsOf(facts),
  };
}

/** What ollama shows for a model kept loaded (keep_alive -1): a time that never comes. */
export const NEVER = '2318-01-01T00:00:00Z';

/** One `/api/ps` entry: `expires_at` is when the idle stop will stop it. */
export function runningOf(running: RunningModel, facts: ModelFacts | null): Record<string, unknown> {
  const { modified_at: _, ...tag } = tagOf(running.model, facts);
  return { ...tag, expires_at: running.idleStopAt === null ? NEVER : new Date(running.idleStopAt).toISOString() };
}

/** `/api/show`: the header's metadata as `model_info`, its chat template as `template`. */
export function showOf(model: ServedModel, facts: ModelFacts | null): Record<string, unknown> {
  const g = facts?.gguf ?? null;
  const template = typeof g?.metadata['tokenizer.chat_template'] === 'string' ? (g.metadata['tokenizer.chat_template'] as string) : '';
  const info: Record<string, unknown> = {};
  if (g) {
    for (const [k, v] of Object.entries(g.metadata)) if (k !== 'tokenizer.chat_template') info[k] = v;
    info['general.parameter_count'] = g.parameterCount;
  }
  return {
    license: typeof g?.metadata['general.license'] === 'string' ? g.metadata['general.license'] : '',
    modelfile: `# served by llama-top's endpoint: service ${model.service} (${model.kind})\n${model.file ? `FROM ${model.file}\n` : ''}`,
    parameters: '',
    template,
    details: detailsOf(facts),
    model_info: info,
    capabilities: ['completion'],
    modified_at: (facts?.modifiedAt ?? new Date(0)).toISOString(),
  };
}
