/**
 * ollama's `/api/generate` and `/api/chat` request bodies → llama-server's `/completion` and `/v1/chat/completions`
 * bodies. Pure: the handler does the HTTP.
 */
import { mapOptions, type MappedOptions } from './options.js';

/** A request llama-top cannot translate as sent: answered 400 in ollama's error shape. */
export class OllamaRequestError extends Error {
  constructor(message: string, readonly status = 400) {
    super(message);
    this.name = 'OllamaRequestError';
  }
}

export interface OllamaMessage {
  role: string;
  content: string;
  images?: string[];
  tool_calls?: Array<{ function: { name: string; arguments: unknown } }>;
}

export interface GenerateRequest {
  model: string;
  prompt: string;
  system: string | null;
  raw: boolean;
  stream: boolean;
  format: unknown;
  context: number[] | null;
  options: unknown;
  keepAlive: unknown;
}

export interface ChatRequest {
  model: string;
  messages: OllamaMessage[];
  stream: boolean;
  format: unknown;
  tools: unknown[] | null;
  options: unknown;
  keepAlive: unknown;
}

/** The body as JSON, or a 400 that says what is wrong with it. */
export function parseBody(body: Buffer): Record<string, unknown> {
  let json: unknown;
  try {
    json = JSON.parse(body.toString('utf8') || '{}');
  } catch (error) {
    throw new OllamaRequestError(`the request body is not JSON (${(error as Error).message})`);
  }
  if (!json || typeof json !== 'object' || Array.isArray(json)) throw new OllamaRequestError('the request body must be a JSON object');
  return json as Record<string, unknown>;
}

function modelOf(json: Record<string, unknown>): string {
  const model = json.model ?? json.name;
  if (typeof model !== 'string' || model === '') throw new OllamaRequestError('model is required');
  return model;
}

const noImages = (images: unknown, where: string) => {
  if (Array.isArray(images) && images.length > 0)
    throw new OllamaRequestError(`${where}: images cannot be translated for llama-server (its /completion and /v1/chat/completions take text only in this build)`);
};

export function readGenerateRequest(json: Record<string, unknown>): GenerateRequest {
  noImages(json.images, 'generate');
  if (typeof json.suffix === 'string' && json.suffix !== '')
    throw new OllamaRequestError("generate: suffix (fill-in-the-middle) is not translated; llama-server's /infill takes it, ollama's API has no route to it here");
  const context = Array.isArray(json.context) && json.context.every((t) => Number.isInteger(t)) ? (json.context as number[]) : null;
  return {
    model: modelOf(json),
    prompt: typeof json.prompt === 'string' ? json.prompt : '',
    system: typeof json.system === 'string' && json.system !== '' ? json.system : null,
    raw: json.raw === true,
    stream: json.stream !== false,
    format: json.format ?? null,
    context: context && context.length > 0 ? context : null,
    options: json.options,
    keepAlive: json.keep_alive,
  };
}

export function readChatRequest(json: Record<string, unknown>): ChatRequest {
  const messages = json.messages ?? [];
  if (!Array.isArray(messages)) throw new OllamaRequestError('chat: messages must be an array of {role, content}');
  for (const [i, m] of messages.entries()) {
    if (!m || typeof m !== 'object' || typeof m.role !== 'string') throw new OllamaRequestError(`chat: messages[${i}] needs a role`);
    noImages(m.images, `chat: messages[${i}]`);
  }
  return {
    model: modelOf(json),
    messages: messages as OllamaMessage[],
    stream: json.stream !== false,
    format: json.format ?? null,
    tools: Array.isArray(json.tools) && json.tools.length > 0 ? json.tools : null,
    options: json.options,
    keepAlive: json.keep_alive,
  };
}

/** ollama's `format` as a JSON schema for llama-server: "json" is any JSON object, an object is the schema itself. */
function schemaOf(format: unknown): Record<string, unknown> | null {
  if (format === null || format === '' || format === undefined) return null;
  if (format === 'json') return { type: 'object' };
  if (typeof format === 'object' && !Array.isArray(format)) return format as Record<string, unknown>;
  throw new OllamaRequestError(`format must be "json" or a JSON schema object, not ${JSON.stringify(format)}`);
}

/** The messages llama-server's chat template renders for a generate request that is not `raw`. */
export function generateMessages(req: GenerateRequest): Array<{ role: string; content: string }> {
  return [...(req.system ? [{ role: 'system', content: req.system }] : []), { role: 'user', content: req.prompt }];
}

/**
 * `/completion`'s body. `prompt` is the text to complete: the template's rendering of the messages (ollama applies
 * the model's template unless `raw`), or the prompt itself. A `context` from an earlier answer goes first as tokens.
 */
export function toCompletionBody(req: GenerateRequest, prompt: string): { body: Record<string, unknown>; ignored: MappedOptions['ignored'] } {
  const { params, ignored } = mapOptions(req.options, 'completion');
  const schema = schemaOf(req.format);
  const body: Record<string, unknown> = {
    prompt: req.context ? [...req.context, prompt] : prompt,
    ...params,
    stream: req.stream,
    ...(schema ? { json_schema: schema } : {}),
  };
  return { body, ignored };
}

/** ollama's tool call (arguments an object) → OpenAI's (arguments a JSON string). */
const toOpenAiToolCalls = (calls: OllamaMessage['tool_calls']) =>
  calls?.map((c, i) => ({
    id: `call_${i}`,
    type: 'function',
    function: { name: c.function.name, arguments: typeof c.function.arguments === 'string' ? c.function.arguments : JSON.stringify(c.function.arguments ?? {}) },
  }));

/** `/v1/chat/completions`'s body. */
export function toChatBody(req: ChatRequest): { body: Record<string, unknown>; ignored: MappedOptions['ignored'] } {
  const { params, ignored } = mapOptions(req.options, 'chat');
  const schema = schemaOf(req.format);
  const messages = req.messages.map((m) => ({
    role: m.role,
    content: typeof m.content === 'string' ? m.content : '',
    ...(m.tool_calls?.length ? { tool_calls: toOpenAiToolCalls(m.tool_calls) } : {}),
  }));
  const body: Record<string, unknown> = {
    messages,
    ...params,
    stream: req.stream,
    ...(schema ? { response_format: { type: 'json_schema', json_schema: { schema } } } : {}),
    ...(req.tools ? { tools: req.tools } : {}),
  };
  return { body, ignored };
}
