import http from 'node:http';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { ServeGateway, ServedModel, Upstream } from '../contract.js';
import { clientSignal } from './lease.js';

/** GET a JSON path of a service the lease granted (fresh connection, Nagle off). */
function getJson(upstream: Upstream, path: string, signal: AbortSignal): Promise<{ status: number; json: any }> {
  return new Promise((resolve, reject) => {
    const req = http.get({ host: upstream.host, port: upstream.port, path, agent: false, signal }, (res) => {
      let text = '';
      res.setEncoding('utf8');
      res.on('data', (c) => (text += c));
      res.on('end', () => {
        try {
          resolve({ status: res.statusCode ?? 502, json: JSON.parse(text) });
        } catch {
          resolve({ status: 502, json: null });
        }
      });
      res.on('error', reject);
    });
    req.on('socket', (s) => s.setNoDelay(true));
    req.on('error', reject);
  });
}

/**
 * ollama's own `/api/tags` entries, service by service: its models with their digests and details, as ollama lists
 * them. A stopped ollama service is started for it (as `/api/*` passed through to it would be): its models are
 * only known while it runs. A service that cannot answer is left out of the listing, not an error for the rest.
 */
export async function ollamaTagEntries(gateway: ServeGateway, models: ServedModel[], req: IncomingMessage, res: ServerResponse): Promise<Map<string, Array<Record<string, unknown>>>> {
  const byService = new Map<string, ServedModel>();
  for (const m of models) if (m.kind === 'ollama' && !byService.has(m.service)) byService.set(m.service, m);
  const signal = clientSignal(req, res);
  const entries = new Map<string, Array<Record<string, unknown>>>();
  await Promise.all(
    [...byService.entries()].map(async ([service, model]) => {
      try {
        const lease = await gateway.acquire(model.name, { signal });
        let status = 502;
        try {
          const answer = await getJson(lease.upstream, '/api/tags', AbortSignal.any([signal, lease.signal]));
          status = answer.status;
          if (answer.status === 200 && Array.isArray(answer.json?.models)) entries.set(service, answer.json.models);
        } finally {
          lease.release(status === 200 ? { status } : { status, note: 'its /api/tags did not answer' });
        }
      } catch {
        // left out: its service did not start or did not answer (status and its logs say why)
      }
    }),
  );
  return entries;
}
