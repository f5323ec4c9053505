import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Lease, ServeGateway, ServeOutcome } from '../contract.js';
import { cutOf } from '../cut-reason.js';
import { sendError } from './reply.js';

/** Aborted when the client goes away before its answer is complete. */
export function clientSignal(req: IncomingMessage, res: ServerResponse): AbortSignal {
  const controller = new AbortController();
  const gone = () => {
    if (!res.writableFinished) controller.abort(new Error('the client disconnected'));
  };
  res.on('close', gone);
  req.on('aborted', gone);
  return controller.signal;
}

/**
 * Acquires `name` (starting its service as needed), runs `run` with a signal that aborts when the client leaves or
 * the request is cut, and releases the lease exactly once with how it ended. Errors of `run` go to the client in
 * ollama's shape (unless it already left); a failed acquire is thrown.
 */
export async function withLease(
  gateway: ServeGateway,
  req: IncomingMessage,
  res: ServerResponse,
  name: string,
  keepAliveMs: number | null,
  run: (lease: Lease, signal: AbortSignal) => Promise<ServeOutcome>,
): Promise<void> {
  const client = clientSignal(req, res);
  // A start that failed or timed out (503, 504), or a client that left while it waited (499): thrown, so that the
  // endpoint logs and counts it (and answers it in ollama's shape).
  const lease = await gateway.acquire(name, { signal: client, keepAliveMs });
  const signal = AbortSignal.any([client, lease.signal]);
  let outcome: ServeOutcome = { status: 500 };
  try {
    outcome = await run(lease, signal);
  } catch (error) {
    if (client.aborted) outcome = { status: 499, note: 'client left' };
    else if (cutOf(lease.signal)) outcome = { status: sendError(res, cutOf(lease.signal)), note: cutOf(lease.signal)!.message };
    else outcome = { status: sendError(res, error), note: `ollama API: ${(error as NodeJS.ErrnoException)?.code ?? (error as Error)?.message ?? error}` };
  } finally {
    lease.release(outcome);
  }
}
