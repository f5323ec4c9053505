import type { NotifyEntry } from '../config/types.js';
import type { Delivery } from './hook.js';
import { formatSeconds } from './hook.js';
import { webhookBody, type NotifyPayload } from './payload.js';

type WebhookTarget = Extract<NotifyEntry['target'], { type: 'webhook' }>;

/** One POST of the payload, abandoned after `timeoutMs`. Never throws. */
export async function postWebhook(target: WebhookTarget, payload: NotifyPayload, timeoutMs: number): Promise<Delivery> {
  const began = Date.now();
  const { contentType, body } = webhookBody(target.format, payload);
  try {
    const res = await fetch(target.url, {
      method: 'POST',
      headers: { 'content-type': contentType, 'user-agent': 'llama-top', ...target.headers },
      body,
      signal: AbortSignal.timeout(timeoutMs),
      redirect: 'follow',
    });
    await res.body?.cancel().catch(() => undefined);
    const ms = Date.now() - began;
    if (res.ok) return { ok: true, detail: `HTTP ${res.status} in ${ms} ms` };
    // A refusal (bad URL, token, payload) will not change by retrying; a server that is down or busy may.
    const retry = res.status >= 500 || res.status === 408 || res.status === 429;
    return { ok: false, detail: `HTTP ${res.status} ${res.statusText}`.trim(), retry };
  } catch (error) {
    const e = error as Error & { cause?: { code?: string; message?: string } };
    const timedOut = e.name === 'TimeoutError' || e.name === 'AbortError';
    return { ok: false, detail: timedOut ? `no answer in ${formatSeconds(timeoutMs)}` : (e.cause?.code ?? e.cause?.message ?? e.message), retry: true };
  }
}

/** The wait before retry `n` (1-based): 1 s, 2 s, 4 s … up to 30 s. Pure. */
export const retryDelay = (n: number): number => Math.min(30_000, 1000 * 2 ** (n - 1));
