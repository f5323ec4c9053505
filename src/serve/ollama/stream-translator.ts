/**
 * A llama-server stream (SSE from `/completion` or `/v1/chat/completions`) → ollama's NDJSON lines, event by event
 * as they arrive. Pure: the handler writes what it returns.
 */
import { chatEnd, completionEnd, finalLine, pieceLine, textOf, type AnswerEnd, type Dialect, type RequestTiming } from './answers.js';
import type { SseEvent } from './sse.js';

export type StreamStep =
  | { kind: 'piece'; line: Record<string, unknown> }
  | { kind: 'end'; end: AnswerEnd }
  | { kind: 'error'; message: string };

/** One event's translation: its text as a piece (when it has any), then its end when it is the last. */
export function translateEvent(dialect: Dialect, model: string, event: SseEvent, now = new Date()): StreamStep[] {
  if (event.field === 'error') return [{ kind: 'error', message: errorMessageOf(event.data) }];
  if (event.field !== 'data' || event.data === '[DONE]') return [];
  let json: Record<string, any>;
  try {
    json = JSON.parse(event.data);
  } catch {
    return [{ kind: 'error', message: `llama-server sent an event that is not JSON: ${event.data.slice(0, 200)}` }];
  }
  if (json.error) return [{ kind: 'error', message: errorMessageOf(JSON.stringify(json)) }];
  const steps: StreamStep[] = [];
  const text = textOf(dialect, json);
  if (text !== '') steps.push({ kind: 'piece', line: pieceLine(dialect, model, text, now) });
  const last = dialect === 'generate' ? json.stop === true : json.choices?.[0]?.finish_reason != null;
  if (last) steps.push({ kind: 'end', end: dialect === 'generate' ? completionEnd(json) : chatEnd(json) });
  return steps;
}

/** The stream's last line: done, the counts from the last event, the request's durations. */
export const streamEndLine = (dialect: Dialect, model: string, end: AnswerEnd, timing: RequestTiming, now = new Date()) =>
  finalLine(dialect, model, '', end, timing, {}, now);

/** llama-server's `{"error": {"message"}}` (or `{"message"}`) as one message. */
export function errorMessageOf(data: string): string {
  try {
    const json = JSON.parse(data);
    const message = json?.error?.message ?? json?.message ?? json?.error;
    if (typeof message === 'string') return message;
  } catch {
    // not JSON: the text itself
  }
  return data.slice(0, 500) || 'llama-server reported an error without a message';
}
