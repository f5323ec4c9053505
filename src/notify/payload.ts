import type { WebhookFormat } from '../config/types.js';
import type { StackEventName } from '../protocol/journal.js';

/** What a notification says, whatever carries it (stdin JSON, env, a webhook body). */
export interface NotifyPayload {
  stack: string;
  host: string;
  /** null: the stack as a whole (a full disk, a refused reload). */
  service: string | null;
  event: StackEventName;
  /** The same text as the service's lastError, or what the emitter said. */
  reason: string | null;
  time: string;
  /** How many of the same (entry, service, event) were held back since the last one sent. */
  suppressed?: number;
  /** Sent by `llama-top notify test`. */
  test?: true;
}

/** One line a person reads: `my-stack@gpu-box: llama gave-up: exited with code 1 (gave up after 5 retries) (suppressed: 4)`. Pure. */
export function oneLine(p: NotifyPayload): string {
  const what = p.service ? `${p.service} ${p.event}` : p.event;
  const extra = [p.suppressed ? `suppressed: ${p.suppressed}` : null, p.test ? 'test' : null].filter(Boolean);
  return `${p.stack}@${p.host}: ${what}${p.reason ? `: ${p.reason}` : ''}${extra.length ? ` (${extra.join(', ')})` : ''}`;
}

/** The body of a webhook POST in each format. Pure. */
export function webhookBody(format: WebhookFormat, p: NotifyPayload): { contentType: string; body: string } {
  switch (format) {
    case 'json':
      return { contentType: 'application/json', body: JSON.stringify(p) };
    case 'text':
      return { contentType: 'text/plain; charset=utf-8', body: oneLine(p) };
    case 'slack':
      return { contentType: 'application/json', body: JSON.stringify({ text: `llama-top ${oneLine(p)}` }) };
    case 'discord':
      // Discord refuses content over 2000 characters.
      return { contentType: 'application/json', body: JSON.stringify({ content: `llama-top ${oneLine(p)}`.slice(0, 2000) }) };
  }
}

/** The environment a command hook gets on top of the daemon's. Pure. */
export function hookEnv(p: NotifyPayload): Record<string, string> {
  return {
    LLAMA_TOP_EVENT: p.event,
    LLAMA_TOP_SERVICE: p.service ?? '',
    LLAMA_TOP_REASON: p.reason ?? '',
    LLAMA_TOP_STACK: p.stack,
    LLAMA_TOP_HOST: p.host,
    LLAMA_TOP_TIME: p.time,
    LLAMA_TOP_SUPPRESSED: String(p.suppressed ?? 0),
  };
}
