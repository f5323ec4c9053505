import type { IncomingMessage, ServerResponse } from 'node:http';
import type { ServeOutcome } from '../contract.js';
import type { AnswerEnd, Dialect } from './answers.js';
import { SseParser } from './sse.js';
import { streamEndLine, translateEvent } from './stream-translator.js';
import { CUT_GRACE_MS, cutOf, cutSoon, cutStatus } from '../cut-reason.js';

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
    const close = (cut: ReturnType<typeof cutOf> = null) => {
      handle(parser.end());
      const counts = end as AnswerEnd | null;
      if (failed || !counts || cut) {
        const message = failed ?? cut?.message ?? "the model's server ended its answer without a last event (see llama-top logs for its service)";
        if (!res.writableEnded) res.end(`${JSON.stringify({ error: message })}\n`);
        if (cut && !failed) return finish({ status: cutStatus(cut.reason), note: message });
        return finish({ status: failed ? 500 : 502, note: `upstream: ${message}` });
      }
      res.end(`${JSON.stringify(streamEndLine(dialect, model, counts, timing()))}\n`);
      finish({ status: 200, tokensIn: counts.prompt_eval_count, tokensOut: counts.eval_count });
    };
    upstream.setEncoding('utf8');
    upstream.on('data', (chunk: string) => handle(parser.push(chunk)));
    upstream.on('end', close);
    // Cut short: the client left (abort), the lease was cut (a stop; its reason is the signal's), or the server went
    // away mid-answer (its exit reaches the supervisor a moment later: the reason is waited for, briefly).
    let breaking = false;
    const broken = async () => {
      if (settled || ended || breaking) return;
      breaking = true;
      if (res.destroyed || res.writableEnded) return finish({ status: 499, note: 'client left' });
      const cut = cutOf(signal) ?? (signal.aborted ? null : await cutSoon(signal, CUT_GRACE_MS));
      if (res.destroyed || res.writableEnded) return finish({ status: 499, note: 'client left' });
      close(cut);
    };
    let ended = false;
    upstream.on('end', () => (ended = true));
    upstream.on('error', () => void broken());
    upstream.on('close', () => void broken());
    res.on('close', () => {
      if (!res.writableFinished) {
        upstream.destroy();
        finish({ status: 499, note: 'client left' });
      }
    });
  });
}
