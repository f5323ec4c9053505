import http, { type IncomingMessage, type ServerResponse } from 'node:http';
import { CUT_GRACE_MS, cutCode, cutOf, cutSoon, cutStatus } from './cut-reason.js';
import { streamErrorTail } from './stream-error.js';
import type { Lease, ServeOutcome } from './contract.js';
import { AnswerTail, usageFrom } from './usage.js';

/**
 * The server's CORS answer (llama-server echoes any Origin): never passed on, so a web page of another site cannot
 * read answers from the endpoint; browsers reach it only through their own app's server.
 */
const isCorsHeader = (name: string) => name.startsWith('access-control-');

/** Headers that belong to one connection, not to the request: never copied across the proxy. */
const HOP_BY_HOP = new Set(['connection', 'keep-alive', 'proxy-connection', 'transfer-encoding', 'te', 'trailer', 'upgrade', 'host', 'content-length']);

/**
 * Each request goes to the server on a fresh connection (`Connection: close`), Nagle off. Not a kept one: llama-server
 * (cpp-httplib, Nagle on) writes an answer's head and body in two sends, and on a kept connection, reused within the
 * kernel's ACK timeout, our side is in delayed-ACK "ping-pong" mode, so the body waits for the head's ACK: 40 ms.
 * Measured against b4748 (`node bench/serve.mjs`, and a four-way probe: direct/proxied × kept/fresh, 200 each):
 * kept connections stalled 40+ ms on 96 of 200 direct and 200 of 200 proxied requests; fresh ones on none. A new
 * connection starts in quick-ACK mode, which is the only switch user space has (Node has no TCP_QUICKACK). It also
 * frees the server's HTTP thread at once: cpp-httplib holds one per open connection for its 5-s keep-alive (a burst's
 * idle connections once held every thread, found by attack).
 */
const UPSTREAM = { agent: false } as const;

function copyHeaders(from: http.IncomingHttpHeaders, drop: (name: string) => boolean): http.OutgoingHttpHeaders {
  const out: http.OutgoingHttpHeaders = {};
  for (const [name, value] of Object.entries(from)) if (value !== undefined && !HOP_BY_HOP.has(name) && !drop(name)) out[name] = value;
  return out;
}

export interface ForwardOptions {
  /** Drop the client's Authorization (it held the endpoint's own key). */
  dropAuthorization: boolean;
}

/**
 * Copies the request (its body already read) to the lease's server and the answer back as it comes: bytes only, a
 * streamed answer event by event, back-pressure through `pipe`. A client that leaves cancels the upstream
 * request (its connection is closed, which is how llama-server and ollama learn it); so does the lease's signal.
 */
export function forward(lease: Lease, req: IncomingMessage, res: ServerResponse, body: Buffer, path: string | undefined, options: ForwardOptions): Promise<ServeOutcome> {
  const { host, port } = lease.upstream;
  return new Promise<ServeOutcome>((resolve) => {
    let done = false;
    let status = 502;
    const tail = new AnswerTail();
    /** The last chunk passed on: where a cut stream's error event must begin (read only then). */
    let lastChunk: Buffer | null = null;
    const finish = (note: string | null) => {
      if (done) return;
      done = true;
      lease.signal.removeEventListener('abort', onCut);
      resolve({ status, ...usageFrom(tail.text()), note });
    };
    const headers = copyHeaders(req.headers, (name) => options.dropAuthorization && name === 'authorization');
    headers['content-length'] = body.length;
    let upstream: http.ClientRequest;
    let answer: http.IncomingMessage | null = null;
    let breaking = false;
    /**
     * The answer broke after it began (the lease was cut, or the server's connection closed): the stream ends with
     * an error in its own format saying why, instead of just stopping. A server that died says so a moment after its
     * socket closed: its reason is waited for, briefly.
     */
    const broken = async (error: Error | null) => {
      if (breaking || done) return;
      breaking = true;
      answer?.unpipe(res);
      const cut = await cutSoon(lease.signal, CUT_GRACE_MS);
      if (done) return;
      if (res.destroyed) return finish('client left');
      const message = cut?.message ?? `${lease.upstream.service} closed the connection mid-answer (${(error as NodeJS.ErrnoException | null)?.code ?? error?.message ?? 'no end'})`;
      const lastBytes = lastChunk ? lastChunk.subarray(Math.max(0, lastChunk.length - 2)).toString('latin1') : '';
      const last = streamErrorTail(answer?.headers['content-type'], { message, type: 'server_error', code: cut ? cutCode(cut.reason) : 'upstream_error' }, lastBytes);
      status = cut ? cutStatus(cut.reason) : 502;
      if (last === null) res.destroy();
      else res.end(last);
      finish(message);
    };
    const send = () => {
      const request = http.request({ ...UPSTREAM, host, port, method: req.method, path: path ?? req.url, headers });
      upstream = request;
      request.on('socket', (socket) => socket.setNoDelay(true));
      request.on('response', (incoming) => {
        answer = incoming;
        status = incoming.statusCode ?? 502;
        const out = copyHeaders(incoming.headers, isCorsHeader);
        if (incoming.headers['content-length'] !== undefined) out['content-length'] = incoming.headers['content-length'];
        res.writeHead(status, out);
        incoming.on('data', (chunk: Buffer) => {
          tail.push(chunk);
          lastChunk = chunk;
        });
        // Piped (back-pressure) but not ended by the pipe: a cut answer still gets its last words.
        incoming.pipe(res, { end: false });
        incoming.on('end', () => res.end());
        incoming.on('error', (error) => void broken(error));
        incoming.on('close', () => {
          if (!incoming.complete) void broken(null);
        });
        res.on('finish', () => finish(null));
      });
      request.on('error', (error) => {
        if (done) return;
        if (res.headersSent) return void broken(error);
        const code = (error as NodeJS.ErrnoException).code;
        const message = `${lease.upstream.service} (${host}:${port}) did not answer: ${code ?? error.message}`;
        const text = JSON.stringify({ error: { message, type: 'server_error', code: 'upstream_error' } });
        res.writeHead(502, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(text) });
        res.end(text);
        finish(`upstream: ${code ?? error.message}`);
      });
      // Headers and body leave in one write.
      request.end(body);
    };
    res.on('close', () => {
      if (res.writableFinished) return;
      upstream?.destroy();
      finish('client left');
    });
    const onCut = () => {
      const cut = cutOf(lease.signal);
      upstream?.destroy();
      if (res.headersSent) return void broken(null);
      // Cut before its answer began: an HTTP error the client can read, not a reset connection.
      const message = cut?.message ?? `${lease.upstream.service} was stopped before it answered`;
      const text = JSON.stringify({ error: { message: `${message}: send the request again`, type: 'server_error', code: cut ? cutCode(cut.reason) : 'service_stopped' } });
      status = cut ? cutStatus(cut.reason) : 503;
      res.writeHead(status, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(text), 'retry-after': '1' });
      res.end(text);
      finish(message);
    };
    lease.signal.addEventListener('abort', onCut, { once: true });
    send();
  });
}
