import type { DialectHandler } from '../contract.js';
import { VERSION } from '../../version.js';
import { factsOf, runningOf, showOf, tagOf } from './model-card.js';
import { sendJson } from './reply.js';
import { parseBody, OllamaRequestError } from './requests.js';
import { resolveModel } from './resolve-model.js';
import { withLease } from './lease.js';
import { ollamaTagEntries } from './ollama-tags.js';

/** The ollama API version this endpoint speaks (clients compare it against the features they need). */
export const OLLAMA_API_VERSION = '0.5.7';

/**
 * `GET /api/tags`: every model of every LLM service; a GGUF-backed one from its header, an ollama service's as
 * ollama itself lists them (digest and details included; the service started for it when stopped).
 */
export const tags: DialectHandler = async (req, res, _body, gateway) => {
  const before = await gateway.models();
  const fromOllama = await ollamaTagEntries(gateway, before, req, res);
  const models = fromOllama.size > 0 ? await gateway.models() : before; // a started ollama's names are known now
  const listed: Array<Record<string, unknown>> = [];
  for (const m of models) if (m.kind !== 'ollama' || !fromOllama.has(m.service)) listed.push(tagOf(m, factsOf(m.file)));
  for (const entries of fromOllama.values()) listed.push(...entries);
  sendJson(res, 200, { models: listed });
};

/** `GET /api/ps`: the models whose service runs, `expires_at` their idle stop. */
export const ps: DialectHandler = async (_req, res, _body, gateway) => {
  const running = await gateway.running();
  sendJson(res, 200, { models: running.map((r) => runningOf(r, factsOf(r.model.file))) });
};

/** `GET /api/version`. */
export const version: DialectHandler = async (_req, res) => {
  sendJson(res, 200, { version: OLLAMA_API_VERSION }, { 'x-llama-top-version': VERSION });
};

/** `GET /` and `HEAD /`: what ollama answers there, which clients use to see that it is up. */
export const root: DialectHandler = async (req, res) => {
  res.writeHead(200, { 'content-type': 'text/plain; charset=utf-8', 'content-length': 17 });
  res.end(req.method === 'HEAD' ? undefined : 'Ollama is running');
};

/** `POST /api/show`: from the GGUF header; an ollama service's model goes to ollama itself. */
export const show: DialectHandler = async (req, res, body, gateway, attempt) => {
  const json = parseBody(body);
  const name = json.model ?? json.name;
  if (typeof name !== 'string' || !name) throw new OllamaRequestError('model is required');
  attempt.model = name;
  const model = await resolveModel(gateway, name);
  attempt.service = model.service;
  if (model.kind === 'ollama') return await withLease(gateway, req, res, model.name, null, (lease) => gateway.forward(lease, req, res, body));
  sendJson(res, 200, showOf(model, factsOf(model.file)));
};
