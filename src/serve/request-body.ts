import type { IncomingMessage } from 'node:http';
import { ServeError } from './contract.js';

/** Largest request body taken (images and long prompts fit; a runaway upload does not). */
export const MAX_BODY_BYTES = 64 * 1024 * 1024;

/** Longest `model` taken: longer than any name a model has. */
export const MAX_MODEL_NAME = 256;

/** Reads the whole body, refusing (413) past `max` bytes. */
export function readBody(req: IncomingMessage, max = MAX_BODY_BYTES): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    req.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (size > max) {
        reject(new ServeError(413, `the request body is larger than ${max / 1024 / 1024} MiB`, 'invalid_request_error', 'body_too_large'));
        req.destroy();
        return;
      }
      chunks.push(chunk);
    });
    req.on('end', () => resolve(chunks.length === 1 ? chunks[0]! : Buffer.concat(chunks)));
    req.on('error', reject);
  });
}

/** The `model` of a JSON body: 400 when the body is not JSON or names none. Pure. */
export function modelOf(body: Buffer): string {
  let parsed: unknown;
  try {
    parsed = JSON.parse(body.toString('utf8'));
  } catch {
    throw new ServeError(400, 'the request body is not JSON: send a JSON object with a "model" field', 'invalid_request_error', 'invalid_json');
  }
  const model = (parsed as { model?: unknown } | null)?.model;
  if (typeof model !== 'string' || model === '')
    throw new ServeError(400, 'the request names no model: add "model": "NAME" to the body (GET /v1/models lists the names)', 'invalid_request_error', 'model_required');
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
