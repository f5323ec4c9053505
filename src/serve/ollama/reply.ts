import type { ServerResponse } from 'node:http';
import { ServeError } from '../contract.js';
import { CutError, cutStatus } from '../cut-reason.js';
import { KeepAliveError } from './keep-alive.js';
import { OllamaRequestError } from './requests.js';

/** Writes a JSON answer (headers and body in one write). */
export function sendJson(res: ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}): void {
  const payload = Buffer.from(JSON.stringify(body));
  res.writeHead(status, { 'content-type': 'application/json; charset=utf-8', 'content-length': payload.length, ...headers });
  res.end(payload);
}

/** ollama's error shape: `{"error": "..."}` with the status. */
export function sendOllamaError(res: ServerResponse, status: number, message: string, headers: Record<string, string> = {}): void {
  if (res.headersSent) {
    // A stream already under way: ollama ends it with an error line.
    if (!res.writableEnded) res.end(`${JSON.stringify({ error: message })}\n`);
    return;
  }
  sendJson(res, status, { error: message }, headers);
}

/** Any error a handler meets → the status and message ollama's clients read. */
export function ollamaErrorOf(error: unknown): { status: number; message: string } {
  if (error instanceof ServeError) return { status: error.status, message: error.message };
  if (error instanceof OllamaRequestError) return { status: error.status, message: error.message };
  if (error instanceof KeepAliveError) return { status: 400, message: error.message };
  if (error instanceof CutError) return { status: cutStatus(error.reason), message: error.message };
  if ((error as Error)?.name === 'AbortError') return { status: 499, message: 'the request was cancelled' };
  const code = (error as NodeJS.ErrnoException)?.code;
  if (code === 'ECONNREFUSED' || code === 'ECONNRESET')
    return { status: 502, message: `the model's server closed the connection (${code}): see llama-top logs for its service` };
  return { status: 500, message: (error as Error)?.message ?? String(error) };
}

export function sendError(res: ServerResponse, error: unknown): number {
  const { status, message } = ollamaErrorOf(error);
  sendOllamaError(res, status, message);
  return status;
}
