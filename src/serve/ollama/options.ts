/**
 * ollama's `options` → llama-server's sampling parameters (build 4748 reads the same names on `/completion` and on
 * `/v1/chat/completions`). Pure.
 *
 * What cannot apply per request is listed, not silently dropped: llama-server fixes its context size, threads, GPU
 * layers, batch and memory mapping when it starts (`-c`, `-t`, `-ngl`, `-b`, `--mlock` … in the service's `args:`),
 * so `num_ctx` and the other load-time options of ollama have no per-request equivalent there.
 */

/** ollama option → llama-server parameter, where they mean the same thing. */
const SAMPLING: Record<string, string> = {
  num_predict: 'n_predict',
  temperature: 'temperature',
  top_p: 'top_p',
  top_k: 'top_k',
  min_p: 'min_p',
  typical_p: 'typical_p',
  repeat_penalty: 'repeat_penalty',
  repeat_last_n: 'repeat_last_n',
  presence_penalty: 'presence_penalty',
  frequency_penalty: 'frequency_penalty',
  mirostat: 'mirostat',
  mirostat_tau: 'mirostat_tau',
  mirostat_eta: 'mirostat_eta',
  seed: 'seed',
  num_keep: 'n_keep',
  stop: 'stop',
};

/** ollama's load-time options: llama-server takes them as launch flags, so a request cannot change them. */
export const LOAD_TIME_OPTIONS: Record<string, string> = {
  num_ctx: '-c (context size)',
  num_batch: '-b',
  num_gpu: '-ngl',
  main_gpu: '-mg',
  num_thread: '-t',
  use_mmap: '--no-mmap',
  use_mlock: '--mlock',
  numa: '--numa',
  low_vram: 'no equivalent',
  f16_kv: 'no equivalent',
  logits_all: 'no equivalent',
  vocab_only: 'no equivalent',
};

export interface MappedOptions {
  /** llama-server parameters to merge into the request body. */
  params: Record<string, unknown>;
  /** Options the request set that llama-server cannot apply per request (name, and why). */
  ignored: Array<{ option: string; why: string }>;
}

/** Maps `options` (nulls skipped, as ollama skips them) for `/completion` or `/v1/chat/completions`. */
export function mapOptions(options: unknown, target: 'completion' | 'chat'): MappedOptions {
  const params: Record<string, unknown> = {};
  const ignored: MappedOptions['ignored'] = [];
  if (!options || typeof options !== 'object' || Array.isArray(options)) return { params, ignored };
  for (const [option, value] of Object.entries(options as Record<string, unknown>)) {
    if (value === null || value === undefined) continue;
    const param = SAMPLING[option];
    if (param === 'stop') params.stop = Array.isArray(value) ? value.map(String) : [String(value)];
    else if (param === 'n_predict' && target === 'chat') params.max_tokens = value;
    else if (param) params[param] = value;
    else if (option in LOAD_TIME_OPTIONS) ignored.push({ option, why: `fixed when llama-server starts (${LOAD_TIME_OPTIONS[option]} in the service's args)` });
    else ignored.push({ option, why: 'not a llama-server parameter in this build' });
  }
  return { params, ignored };
}

/** The `X-Llama-Top-Ignored-Options` header's value: `num_ctx, num_thread` (empty when nothing was ignored). */
export const formatIgnored = (ignored: MappedOptions['ignored']): string => ignored.map((i) => i.option).join(', ');
