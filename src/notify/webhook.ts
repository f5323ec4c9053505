import http from 'node:http';
import https from 'node:https';
import type { NotifyEntry } from '../config/types.js';
import type { Delivery } from './hook.js';
import { formatSeconds } from './hook.js';
import { webhookBody, type NotifyPayload } from './payload.js';

type WebhookTarget = Extract<NotifyEntry['target'], { type: 'webhook' }>;

/**
 * One POST of the payload, abandoned after `timeoutMs` (connect, send and answer together). Never throws. node:http
 * with no keep-alive agent: the daemon runs without WebAssembly (so without fetch's parser), and a notification
 * every few minutes gains nothing from a pooled connection.
 */
export function postWebhook(target: WebhookTarget, payload: NotifyPayload, timeoutMs: number): Promise<Delivery> {
  const began = Date.now();
  const { contentType, body } = webhookBody(target.format, payload);
  const url = new URL(target.url);
  const client = url.protocol === 'https:' ? https : http;
  return new Promise((resolve) => {
    let settled = false;
    const done = (delivery: Delivery) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      req.destroy();
      resolve(delivery);
    };
    const req = client.request(url, {
      method: 'POST',
      agent: false,
      headers: { 'content-type': contentType, 'content-length': Buffer.byteLength(body), 'user-agent': 'llama-top', ...target.headers },
    });
    const timer = setTimeout(() => done({ ok: false, detail: `no answer in ${formatSeconds(timeoutMs)}`, retry: true }), timeoutMs);
    req.on('response', (res) => {
      res.resume();
      const status = res.statusCode ?? 0;
      const ms = Date.now() - began;
      if (status >= 200 && status < 300) return done({ ok: true, detail: `HTTP ${status} in ${ms} ms` });
      // A refusal (bad URL, token, payload) will not change by retrying; a server that is down or busy may.
      done({ ok: false, detail: `HTTP ${status}${res.statusMessage ? ` ${res.statusMessage}` : ''}`, retry: status >= 500 || status === 408 || status === 429 });
    });
    req.on('error', (error: NodeJS.ErrnoException) => done({ ok: false, detail: error.code ?? error.message, retry: true }));
    req.end(body);
  });
}

/** The wait before retry `n` (1-based): 1 s, 2 s, 4 s … up to 30 s. Pure. */
export const retryDelay = (n: number): number => Math.min(30_000, 1000 * 2 ** (n - 1));
