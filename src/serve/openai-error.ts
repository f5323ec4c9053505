import type { ServerResponse } from 'node:http';
import { ServeError } from './contract.js';

/** OpenAI's error body: `{"error": {"message", "type", "code"}}`. Pure. */
export const errorBody = (error: ServeError): string => JSON.stringify({ error: { message: error.message, type: error.type, code: error.code } });

/** Any failure as a ServeError (an unexpected one is a 500 that says what broke). Pure. */
export const asServeError = (error: unknown): ServeError =>
  error instanceof ServeError ? error : new ServeError(500, `llama-top serve: ${(error as Error)?.message ?? String(error)}`, 'server_error', 'internal_error');

/** Answers with the error in OpenAI's shape, unless the answer has begun (then it is cut: the client sees it end short). */
export function sendError(res: ServerResponse, error: ServeError, headers: Record<string, string> = {}): void {
  if (res.headersSent) {
    res.destroy();
    return;
  }
  const body = errorBody(error);
  res.writeHead(error.status, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(body), ...error.headers, ...headers });
  res.end(body);
}
