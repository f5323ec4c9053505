import type { IncomingMessage } from 'node:http';
import { ServeError } from './contract.js';
import { countTopLevelKey } from './json-keys.js';

/**
 * What a request body may cost, per request and all together. Figures no chat app reaches: a long conversation with
 * a few images is a few MiB and arrives in well under a second; a client that sends nothing for 30 s, or trickles a
 * body over more than a minute, is holding a connection and memory open, not uploading.
 */
export interface BodyLimits {
  /** Largest body taken: 413 past it. */
  maxBytes: number;
  /** All bodies being received or forwarded at once: past it, a new body is 503 `server busy`. */
  maxBufferedBytes: number;
  /** No byte of the body for this long: 408, connection closed. */
  idleMs: number;
  /** The whole body not received within this long from its first wait: 408, connection closed. */
  totalMs: number;
}

export const BODY_LIMITS: BodyLimits = { maxBytes: 64 * 1024 * 1024, maxBufferedBytes: 256 * 1024 * 1024, idleMs: 30_000, totalMs: 60_000 };

/** Kept for the figure in messages and docs: the largest body taken. */
export const MAX_BODY_BYTES = BODY_LIMITS.maxBytes;

/** Longest `model` taken: longer than any name a model has. */
export const MAX_MODEL_NAME = 256;

/** The bytes held by request bodies across every request (received, or kept while forwarded). */
export class BodyBudget {
  private held = 0;

  constructor(readonly max: number) {}

  get bytes(): number {
    return this.held;
  }

  /** Takes `n` bytes if they fit; false when they do not. */
  take(n: number): boolean {
    if (this.held + n > this.max) return false;
    this.held += n;
    return true;
  }

  give(n: number): void {
    this.held = Math.max(0, this.held - n);
  }
}

/**
 * A body refused while it was being received: the answer says so, and the connection is closed after it (the rest
 * of a body too large is read and dropped for a moment first, so that the client reads the answer, not a reset).
 */
export class BodyRefused extends ServeError {
  constructor(status: number, message: string, type: string, code: string, readonly stalled: boolean) {
    super(status, message, type, code);
  }
}

const mib = (n: number) => `${Math.round((n / 1024 / 1024) * 10) / 10} MiB`;
const secs = (ms: number) => `${ms / 1000} s`;

export const tooLarge = (limits: BodyLimits) =>
  new BodyRefused(413, `the request body is larger than ${mib(limits.maxBytes)}, the most llama-top serve takes`, 'invalid_request_error', 'body_too_large', false);

/**
 * Reads the whole body within `limits`, its bytes taken from `budget` (the caller gives them back when the request
 * is done; a refused body's are given back here). Rejects with a BodyRefused: 413 too large (at once when its
 * content-length says so), 503 when the bodies in flight already hold `maxBufferedBytes`, 408 when it stalls.
 */
export function readBody(req: IncomingMessage, budget: BodyBudget, limits: BodyLimits = BODY_LIMITS): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const declared = Number(req.headers['content-length']);
    if (Number.isFinite(declared) && declared > limits.maxBytes) return reject(tooLarge(limits));
    const chunks: Buffer[] = [];
    let size = 0;
    let over = false;
    const stop = (error: BodyRefused) => {
      if (over) return;
      over = true;
      clearTimeout(idle);
      clearTimeout(whole);
      budget.give(size);
      chunks.length = 0;
      reject(error);
    };
    const stalled = (what: string) =>
      stop(new BodyRefused(408, `the request body ${what}: send it whole at once (llama-top serve waits ${secs(limits.idleMs)} for a byte and ${secs(limits.totalMs)} for a body)`, 'invalid_request_error', 'body_timeout', true));
    const idle = setTimeout(() => stalled(`sent nothing for ${secs(limits.idleMs)}`), limits.idleMs);
    const whole = setTimeout(() => stalled(`did not arrive whole within ${secs(limits.totalMs)}`), limits.totalMs);
    req.on('data', (chunk: Buffer) => {
      if (over) return; // refused: the rest is dropped as it comes
      if (size + chunk.length > limits.maxBytes) return stop(tooLarge(limits));
      if (!budget.take(chunk.length))
        return stop(new BodyRefused(503, `server busy: the request bodies being received hold ${mib(budget.bytes)} (at most ${mib(budget.max)} at once); send it again in a moment`, 'server_error', 'server_busy', false));
      size += chunk.length;
      chunks.push(chunk);
      idle.refresh();
    });
    req.on('end', () => {
      if (over) return;
      over = true;
      clearTimeout(idle);
      clearTimeout(whole);
      resolve(chunks.length === 1 ? chunks[0]! : Buffer.concat(chunks, size));
    });
    req.on('error', (error) => {
      if (over) return;
      stop(new BodyRefused(400, `the request body broke off: ${error.message}`, 'invalid_request_error', 'body_incomplete', true));
    });
  });
}

/** The `model` of a JSON body: 400 when the body is not JSON or names none. Pure. */
export function modelOf(body: Buffer): string {
  let parsed: unknown;
  const text = body.toString('utf8');
  try {
    parsed = JSON.parse(text);
  } catch {
    throw new ServeError(400, 'the request body is not JSON: send a JSON object with a "model" field', 'invalid_request_error', 'invalid_json');
  }
  const model = (parsed as { model?: unknown } | null)?.model;
  if (typeof model !== 'string' || model === '')
    throw new ServeError(400, 'the request names no model: add "model": "NAME" to the body (GET /v1/models lists the names)', 'invalid_request_error', 'model_required');
  // JSON.parse keeps the last of two "model" keys, a server may read the first: routed by one, answered by another.
  if (countTopLevelKey(text, 'model') > 1)
    throw new ServeError(400, 'duplicate "model" key in the request body: send one (the endpoint routes by one, the server could read the other)', 'invalid_request_error', 'duplicate_model');
  // Echoed in errors, written to the serve log and a label of /metrics: a name no model has is refused here.
  if (model.length > MAX_MODEL_NAME)
    throw new ServeError(400, `the model name is ${model.length} characters long; names are at most ${MAX_MODEL_NAME} (GET /v1/models lists them)`, 'invalid_request_error', 'model_name_too_long');
  return model;
}

/** The `model` of a JSON body if it has one, else null (no error). Pure. */
export function optionalModel(body: Buffer): string | null {
  try {
    return modelOf(body);
  } catch {
    return null;
  }
}
