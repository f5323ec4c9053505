import http from 'node:http';
import type { Upstream } from '../contract.js';

/**
 * A JSON POST to the service a lease granted, on a fresh connection with Nagle off (a kept-alive socket to
 * llama-server pays the delayed-ACK wait; see DESIGN "Serving models"). `signal` aborts it: the client left or the
 * drain ran out.
 */
export function postUpstream(upstream: Upstream, path: string, body: unknown, signal: AbortSignal): Promise<http.IncomingMessage> {
  const payload = Buffer.from(JSON.stringify(body));
  return new Promise((resolve, reject) => {
    const req = http.request(
      {
        host: upstream.host,
        port: upstream.port,
        path,
        method: 'POST',
        agent: false,
        signal,
        headers: { 'content-type': 'application/json', 'content-length': payload.length, accept: 'application/json, text/event-stream' },
      },
      resolve,
    );
    req.on('socket', (socket) => socket.setNoDelay(true));
    req.on('error', reject);
    req.end(payload);
  });
}

/** The whole answer's body as text (a non-streamed answer, or an error's). */
export async function readText(res: http.IncomingMessage): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of res) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks).toString('utf8');
}

/** POST and read the JSON answer: `{status, json}`; json is null when the body is not JSON. */
export async function postJson(upstream: Upstream, path: string, body: unknown, signal: AbortSignal): Promise<{ status: number; json: any; text: string }> {
  const res = await postUpstream(upstream, path, body, signal);
  const text = await readText(res);
  let json: any = null;
  try {
    json = JSON.parse(text);
  } catch {
    // left null: the caller says what came instead
  }
  return { status: res.statusCode ?? 502, json, text };
}
