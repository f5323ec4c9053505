import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Attempt, DialectHandler, Lease, ServeGateway, ServeOutcome } from '../contract.js';
import { translateAnswer, type Dialect } from './answers.js';
import { parseKeepAlive } from './keep-alive.js';
import { withLease } from './lease.js';
import { formatIgnored, type MappedOptions } from './options.js';
import { sendJson } from './reply.js';
import { generateMessages, OllamaRequestError, parseBody, readChatRequest, readGenerateRequest, toChatBody, toCompletionBody, type GenerateRequest } from './requests.js';
import { resolveModel } from './resolve-model.js';
import { pipeTranslatedStream } from './translate-stream.js';
import { errorMessageOf } from './stream-translator.js';
import { postJson, postUpstream, readText } from './upstream.js';

/**
 * `POST /api/generate` and `POST /api/chat`. A model an ollama service serves goes to ollama untouched; any other
 * (llama-server's) is translated to `/completion` or `/v1/chat/completions` and its answer back to ollama's shape.
 */
export const generate: DialectHandler = (req, res, body, gateway, attempt) => handle('generate', req, res, body, gateway, attempt);
export const chat: DialectHandler = (req, res, body, gateway, attempt) => handle('chat', req, res, body, gateway, attempt);

/** Refusals before a lease (bad JSON, unknown model, a start that failed) are thrown: the endpoint logs and answers them. */
async function handle(dialect: Dialect, req: IncomingMessage, res: ServerResponse, body: Buffer, gateway: ServeGateway, attempt: Attempt): Promise<void> {
  const started = Date.now();
  const json = parseBody(body);
  const request = dialect === 'generate' ? readGenerateRequest(json) : readChatRequest(json);
  attempt.model = request.model;
  const keepAliveMs = parseKeepAlive(request.keepAlive);
  const model = await resolveModel(gateway, request.model);
  attempt.service = model.service;
  if (model.kind === 'ollama') return withLease(gateway, req, res, model.name, null, (lease) => gateway.forward(lease, req, res, body));
  if (dialect === 'generate' && model.kind !== 'llama-server')
    throw new OllamaRequestError(`generate is translated for llama-server models (to its /completion); ${model.name} is served by ${model.service} (${model.kind}): use /api/chat or the endpoint's /v1 routes`, 501);

  const empty = 'prompt' in request ? request.prompt === '' && !request.context : request.messages.length === 0;
  if (empty) return loadOrUnload(dialect, req, res, gateway, model.name, request.model, keepAliveMs, started);

  await withLease(gateway, req, res, model.name, keepAliveMs, async (lease, signal) => {
    const { body: upstreamBody, ignored } =
      'prompt' in request ? toCompletionBody(request, await promptFor(request, lease, signal)) : toChatBody(request);
    const path = dialect === 'generate' ? '/completion' : '/v1/chat/completions';
    return answer(dialect, request.model, lease, signal, res, path, upstreamBody, ignored, started);
  });
}

/** ollama applies the model's template unless `raw`: llama-server renders it with its `/apply-template`. */
async function promptFor(request: GenerateRequest, lease: Lease, signal: AbortSignal): Promise<string> {
  if (request.raw) return request.prompt;
  const rendered = await postJson(lease.upstream, '/apply-template', { messages: generateMessages(request) }, signal);
  if (rendered.status === 200 && typeof rendered.json?.prompt === 'string') return rendered.json.prompt;
  // A server without /apply-template (older builds): the text as ollama's raw mode would send it.
  return request.system ? `${request.system}\n\n${request.prompt}` : request.prompt;
}

async function answer(
  dialect: Dialect,
  model: string,
  lease: Lease,
  signal: AbortSignal,
  res: ServerResponse,
  path: string,
  body: Record<string, unknown>,
  ignored: MappedOptions['ignored'],
  started: number,
): Promise<ServeOutcome> {
  const headers: Record<string, string> = ignored.length ? { 'x-llama-top-ignored-options': formatIgnored(ignored) } : {};
  const timing = () => ({ totalMs: Date.now() - started, loadMs: lease.waitedMs });
  const upstream = await postUpstream(lease.upstream, path, body, signal);
  const status = upstream.statusCode ?? 502;
  if (status !== 200) {
    const message = errorMessageOf(await readText(upstream));
    sendJson(res, status, { error: `${lease.model.service}: ${message}` });
    return { status };
  }
  if (body.stream) return pipeTranslatedStream(dialect, model, upstream, res, timing, signal, headers);
  const text = await readText(upstream);
  const json = JSON.parse(text);
  const reply = translateAnswer(dialect, model, json, timing());
  sendJson(res, 200, reply, headers);
  return { status: 200, tokensIn: (reply.prompt_eval_count as number) ?? null, tokensOut: (reply.eval_count as number) ?? null };
}

/**
 * An empty prompt (or no messages) is how ollama's clients load a model ahead of time, and with `keep_alive: 0`
 * unload it: the service is started (or stopped once this request ends) without generating anything.
 */
async function loadOrUnload(
  dialect: Dialect,
  req: IncomingMessage,
  res: ServerResponse,
  gateway: ServeGateway,
  name: string,
  asked: string,
  keepAliveMs: number | null,
  started: number,
): Promise<void> {
  const reply = (reason: 'load' | 'unload', loadMs: number) => ({
    model: asked,
    created_at: new Date().toISOString(),
    ...(dialect === 'generate' ? { response: '' } : { message: { role: 'assistant', content: '' } }),
    done: true,
    done_reason: reason,
    ...(reason === 'load' ? { total_duration: (Date.now() - started) * 1e6, load_duration: loadMs * 1e6 } : {}),
  });
  if (keepAliveMs === 0) {
    const running = (await gateway.running()).some((r) => r.model.name === name);
    if (!running) return sendJson(res, 200, reply('unload', 0));
  }
  await withLease(gateway, req, res, name, keepAliveMs, async (lease) => {
    sendJson(res, 200, reply(keepAliveMs === 0 ? 'unload' : 'load', lease.waitedMs));
    return { status: 200 };
  });
}
