import type { DialectHandler } from '../contract.js';
import { msToNs } from './answers.js';
import { parseKeepAlive } from './keep-alive.js';
import { withLease } from './lease.js';
import { sendJson } from './reply.js';
import { OllamaRequestError, parseBody } from './requests.js';
import { resolveModel } from './resolve-model.js';
import { errorMessageOf } from './stream-translator.js';
import { postJson } from './upstream.js';

/**
 * `POST /api/embed` (`input`: a string or a list) and the older `POST /api/embeddings` (`prompt`) → llama-server's
 * `/v1/embeddings`. A server started without `--embeddings` says so, and the client reads it in ollama's shape.
 */
export const embed: DialectHandler = (req, res, body, gateway, attempt) => embedAs('embed', req, res, body, gateway, attempt);
export const embeddings: DialectHandler = (req, res, body, gateway, attempt) => embedAs('embeddings', req, res, body, gateway, attempt);

async function embedAs(route: 'embed' | 'embeddings', ...[req, res, body, gateway, attempt]: Parameters<DialectHandler>): Promise<void> {
  const started = Date.now();
  const json = parseBody(body);
  const raw = route === 'embed' ? json.input : json.prompt;
  const input: string[] = typeof raw === 'string' ? [raw] : Array.isArray(raw) && raw.every((s) => typeof s === 'string') ? raw : [];
  if (input.length === 0) throw new OllamaRequestError(route === 'embed' ? 'input is required: a string or a list of strings' : 'prompt is required');
  if (typeof json.model !== 'string') throw new OllamaRequestError('model is required');
  attempt.model = json.model;
  const keepAliveMs = parseKeepAlive(json.keep_alive);
  const model = await resolveModel(gateway, json.model);
  attempt.service = model.service;
  if (model.kind === 'ollama') return withLease(gateway, req, res, model.name, null, (lease) => gateway.forward(lease, req, res, body));
  await withLease(gateway, req, res, model.name, keepAliveMs, async (lease, signal) => {
    const answer = await postJson(lease.upstream, '/v1/embeddings', { input }, signal);
    if (answer.status !== 200 || !Array.isArray(answer.json?.data)) {
      const status = answer.status === 200 ? 502 : answer.status;
      const why = errorMessageOf(answer.text);
      sendJson(res, status, { error: `${lease.model.service} cannot embed: ${why} (llama-server embeds when started with --embeddings --pooling mean in the service's args)` });
      return { status };
    }
    const vectors = (answer.json.data as Array<{ embedding: number[] }>).map((d) => d.embedding);
    const promptTokens = answer.json.usage?.prompt_tokens ?? null;
    if (route === 'embeddings') sendJson(res, 200, { embedding: vectors[0] ?? [] });
    else
      sendJson(res, 200, {
        model: model.name,
        embeddings: vectors,
        total_duration: msToNs(Date.now() - started),
        load_duration: msToNs(lease.waitedMs),
        ...(promptTokens !== null ? { prompt_eval_count: promptTokens } : {}),
      });
    return { status: 200, tokensIn: promptTokens };
  });
}
