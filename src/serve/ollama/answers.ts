/**
 * llama-server's answers → ollama's. Pure: durations in nanoseconds as ollama reports them; the counts come from
 * llama-server's `timings` (b4748 sends them on a non-streamed answer and on a stream's last event).
 */

export type Dialect = 'generate' | 'chat';

/** What an answer's end says: why it ended and its counts. */
export interface AnswerEnd {
  done_reason: 'stop' | 'length';
  prompt_eval_count: number | null;
  prompt_eval_duration: number | null;
  eval_count: number | null;
  eval_duration: number | null;
}

/** What the handler measured: the whole request and the wait for a start (the lease's waitedMs). */
export interface RequestTiming {
  totalMs: number;
  loadMs: number;
}

export const msToNs = (ms: number): number => Math.round(ms * 1e6);

interface Timings {
  prompt_n?: number;
  prompt_ms?: number;
  predicted_n?: number;
  predicted_ms?: number;
}

const num = (v: unknown): number | null => (typeof v === 'number' && Number.isFinite(v) ? v : null);

function countsOf(timings: Timings | undefined, promptTokens: unknown, predicted: unknown): Omit<AnswerEnd, 'done_reason'> {
  return {
    prompt_eval_count: num(promptTokens) ?? num(timings?.prompt_n),
    prompt_eval_duration: num(timings?.prompt_ms) === null ? null : msToNs(timings!.prompt_ms!),
    eval_count: num(predicted) ?? num(timings?.predicted_n),
    eval_duration: num(timings?.predicted_ms) === null ? null : msToNs(timings!.predicted_ms!),
  };
}

/** `/completion`'s last answer: `stop_type` limit is ollama's "length", eos and a stop word its "stop". */
export function completionEnd(answer: Record<string, any>): AnswerEnd {
  return {
    done_reason: answer.stop_type === 'limit' ? 'length' : 'stop',
    ...countsOf(answer.timings, answer.tokens_evaluated, answer.tokens_predicted),
  };
}

/** A chat completion's last answer (or last chunk): `finish_reason` length is "length", the rest "stop". */
export function chatEnd(answer: Record<string, any>): AnswerEnd {
  const choice = answer.choices?.[0] ?? {};
  return {
    done_reason: choice.finish_reason === 'length' ? 'length' : 'stop',
    ...countsOf(answer.timings, answer.usage?.prompt_tokens, answer.usage?.completion_tokens),
  };
}

/** OpenAI's tool calls (arguments a JSON string) → ollama's (arguments an object). */
export function toOllamaToolCalls(calls: unknown): Array<{ function: { name: string; arguments: unknown } }> | undefined {
  if (!Array.isArray(calls) || calls.length === 0) return undefined;
  return calls.map((c: any) => {
    let args: unknown = c?.function?.arguments ?? {};
    if (typeof args === 'string') {
      try {
        args = JSON.parse(args);
      } catch {
        // left as the model wrote it
      }
    }
    return { function: { name: String(c?.function?.name ?? ''), arguments: args } };
  });
}

/** The text an answer carries: `/completion`'s content, a chat completion's message or a chunk's delta. */
export function textOf(dialect: Dialect, answer: Record<string, any>): string {
  if (dialect === 'generate') return typeof answer.content === 'string' ? answer.content : '';
  const choice = answer.choices?.[0];
  const content = choice?.message?.content ?? choice?.delta?.content;
  return typeof content === 'string' ? content : '';
}

/** One streamed piece, as ollama sends it before the end. */
export function pieceLine(dialect: Dialect, model: string, text: string, now = new Date()): Record<string, unknown> {
  const base = { model, created_at: now.toISOString() };
  return dialect === 'generate' ? { ...base, response: text, done: false } : { ...base, message: { role: 'assistant', content: text }, done: false };
}

/**
 * The answer's last object: the whole text (non-streamed) or '' (a stream's last line), done: true, the counts and
 * the durations. Counts llama-server did not report are left out rather than sent as 0.
 */
export function finalLine(
  dialect: Dialect,
  model: string,
  text: string,
  end: AnswerEnd,
  timing: RequestTiming,
  extra: { toolCalls?: ReturnType<typeof toOllamaToolCalls> } = {},
  now = new Date(),
): Record<string, unknown> {
  const counts = Object.fromEntries(Object.entries(end).filter(([k, v]) => k !== 'done_reason' && v !== null));
  const answer =
    dialect === 'generate'
      ? { response: text }
      : { message: { role: 'assistant', content: text, ...(extra.toolCalls ? { tool_calls: extra.toolCalls } : {}) } };
  return {
    model,
    created_at: now.toISOString(),
    ...answer,
    done: true,
    done_reason: end.done_reason,
    total_duration: msToNs(timing.totalMs),
    load_duration: msToNs(timing.loadMs),
    ...counts,
  };
}

/** The ollama answer for a non-streamed llama-server answer. */
export function translateAnswer(dialect: Dialect, model: string, answer: Record<string, any>, timing: RequestTiming, now = new Date()): Record<string, unknown> {
  const end = dialect === 'generate' ? completionEnd(answer) : chatEnd(answer);
  const toolCalls = dialect === 'chat' ? toOllamaToolCalls(answer.choices?.[0]?.message?.tool_calls) : undefined;
  return finalLine(dialect, model, textOf(dialect, answer), end, timing, { toolCalls }, now);
}
