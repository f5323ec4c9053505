import type { IncomingMessage, ServerResponse } from 'node:http';
import type { ServeOutcome } from '../contract.js';
import type { AnswerEnd, Dialect } from './answers.js';
import { SseParser } from './sse.js';
import { streamEndLine, translateEvent } from './stream-translator.js';
import { DRAIN_CUT } from './lease.js';

/**
 * Copies a llama-server SSE answer to the client as ollama's NDJSON, each event as it arrives, pausing the upstream
 * while the client's socket is full. Resolves with how it ended; the last line is `done: true` with the counts, or
 * `{"error"}` when the upstream failed or the drain cut it.
 */
export function pipeTranslatedStream(
  dialect: Dialect,
  model: string,
  upstream: IncomingMessage,
  res: ServerResponse,
  timing: () => { totalMs: number; loadMs: number },
  signal: AbortSignal,
  headers: Record<string, string>,
): Promise<ServeOutcome> {
  res.writeHead(200, { 'content-type': 'application/x-ndjson', 'cache-control': 'no-cache', ...headers });
  res.flushHeaders();
  const parser = new SseParser();
  let end: AnswerEnd | null = null;
  let failed: string | null = null;
  const write = (line: unknown) => {
    if (!res.write(`${JSON.stringify(line)}\n`)) {
      upstream.pause();
      res.once('drain', () => upstream.resume());
    }
  };
  const handle = (events: ReturnType<SseParser['push']>) => {
    for (const event of events) {
      for (const step of translateEvent(dialect, model, event)) {
        if (step.kind === 'piece') write(step.line);
        else if (step.kind === 'end') end = step.end;
        else failed ??= step.message;
      }
    }
  };
  return new Promise((resolve) => {
    let settled = false;
    const finish = (outcome: ServeOutcome) => {
      if (settled) return;
      settled = true;
      resolve(outcome);
    };
    const close = () => {
      handle(parser.end());
      const counts = end as AnswerEnd | null;
      if (failed || !counts) {
        const message = failed ?? (signal.aborted ? DRAIN_CUT : "the model's server ended its answer without a last event (see llama-top logs for its service)");
        if (!res.writableEnded) res.end(`${JSON.stringify({ error: message })}\n`);
        return finish({ status: failed ? 500 : 502, note: `upstream: ${message}` });
      }
      res.end(`${JSON.stringify(streamEndLine(dialect, model, counts, timing()))}\n`);
      finish({ status: 200, tokensIn: counts.prompt_eval_count, tokensOut: counts.eval_count });
    };
    upstream.setEncoding('utf8');
    upstream.on('data', (chunk: string) => handle(parser.push(chunk)));
    upstream.on('end', close);
    // Cut short: the client left (abort), the drain ran out (abort), or the server died mid-answer.
    const broken = () => {
      if (settled || ended) return;
      if (res.destroyed || res.writableEnded) return finish({ status: 499, note: 'client left' });
      if (signal.aborted) {
        res.end(`${JSON.stringify({ error: DRAIN_CUT })}\n`);
        return finish({ status: 503, note: 'cut (drainTimeout)' });
      }
      close();
    };
    let ended = false;
    upstream.on('end', () => (ended = true));
    upstream.on('error', broken);
    upstream.on('close', broken);
    res.on('close', () => {
      if (!res.writableFinished) {
        upstream.destroy();
        finish({ status: 499, note: 'client left' });
      }
    });
  });
}
