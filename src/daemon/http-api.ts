import crypto from 'node:crypto';
import fs from 'node:fs';
import http from 'node:http';
import type { HttpConfig } from '../config/types.js';
import { errorMessage, isLlamaTopError, type ErrorCode } from '../protocol/errors.js';
import type { Push, Request, RequestBody, Response, ServiceStatus, StartOutcome } from '../protocol/messages.js';
import { timedLine } from '../logs/timed-line.js';
import { STATUS_PAGE } from '../web/status-page.js';
import { pathSegments, sameToken, tokenProof, TOKEN_COOKIE } from './http-auth.js';
import { ConnectionGuard } from './http-guard.js';
import { prometheusText } from './prometheus-text.js';
import type { Subscriber } from './server.js';

/** What the listener needs of the daemon: every request goes through its one handler, as the socket's do. */
export interface HttpDaemon {
  stack: () => string;
  handle(request: Request, subscriber: Subscriber): Promise<unknown>;
  attach(subscriber: Subscriber): void;
  detach(subscriber: Subscriber): void;
}

/** More event streams than this at once are refused (503): each holds a socket and a slot in every broadcast. */
export const MAX_EVENT_STREAMS = 64;
/** A request body over this is refused (413). */
export const MAX_BODY_BYTES = 64 * 1024;
/** An event stream whose client has this much unread is dropped: a stuck browser never holds the daemon up. */
const MAX_UNREAD_BYTES = 1024 * 1024;
const heartbeatMs = () => Number(process.env.LLAMA_TOP_SSE_HEARTBEAT_MS) || 15_000;
const ACTIONS = new Set(['start', 'stop', 'restart', 'kill']);

class HttpError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    readonly headers: Record<string, string> = {},
  ) {
    super(message);
  }
}

const STATUS_OF: Partial<Record<ErrorCode, number>> = { UNKNOWN_SERVICE: 404, USAGE: 400, CONFIG: 400, PROTOCOL: 400, FAILED: 409, REFUSED: 409, UNREACHABLE: 502 };

/** The token in the state directory (0600), made once and kept across daemon restarts, so a bookmarked URL keeps working. */
export function loadOrCreateToken(file: string): string {
  try {
    const existing = fs.readFileSync(file, 'utf8').trim();
    if (/^[0-9a-f]{64}$/.test(existing)) return existing;
  } catch {
    // none yet
  }
  const token = crypto.randomBytes(32).toString('hex');
  const temp = `${file}.${process.pid}.tmp`;
  fs.writeFileSync(temp, `${token}\n`, { mode: 0o600, flag: 'wx' });
  fs.renameSync(temp, file);
  return token;
}

/**
 * The opt-in HTTP listener: the status API, Server-Sent Events, Prometheus /metrics and the status page. Every
 * request needs the token (a bearer header, or the cookie the token URL sets); the Host header must name this
 * listener (DNS rebinding); cross-origin browsers get nothing unless `http.origins` lists them.
 */
export class HttpApi {
  private readonly server: http.Server;
  private streams = 0;
  /** Connection limits and the header deadline, before any route: a slowloris never starves authorised clients. */
  readonly guard = new ConnectionGuard();
  private readonly ownOrigins: Set<string>;
  private readonly hosts: Set<string>;

  constructor(
    private readonly config: HttpConfig,
    private readonly token: string,
    private readonly daemon: HttpDaemon,
  ) {
    this.server = http.createServer((req, res) => void this.serve(req, res));
    this.guard.attach(this.server);
    const host = config.host.includes(':') ? `[${config.host}]` : config.host;
    this.hosts = new Set([`${host}:${config.port}`, `localhost:${config.port}`]);
    this.ownOrigins = new Set([...this.hosts].map((h) => `http://${h}`));
  }

  get url(): string {
    return `http://${[...this.hosts][0]}/`;
  }

  listen(): Promise<void> {
    return new Promise((resolve, reject) => {
      this.server.once('error', reject);
      this.server.listen(this.config.port, this.config.host, () => {
        this.server.off('error', reject);
        resolve();
      });
    });
  }

  close(): Promise<void> {
    this.server.closeAllConnections();
    return new Promise((resolve) => this.server.close(() => resolve()));
  }

  private async serve(req: http.IncomingMessage, res: http.ServerResponse): Promise<void> {
    try {
      await this.route(req, res);
    } catch (error) {
      if (res.headersSent) return void res.destroy();
      const e = error instanceof HttpError ? error : isLlamaTopError(error) ? new HttpError(STATUS_OF[error.code] ?? 500, error.code, error.message) : new HttpError(500, 'FAILED', errorMessage(error));
      this.json(res, e.status, { error: { code: e.code, message: e.message } }, e.headers);
    }
  }

  private async route(req: http.IncomingMessage, res: http.ServerResponse): Promise<void> {
    // DNS rebinding: a page on evil.example resolving to 127.0.0.1 sends Host: evil.example.
    if (!this.config.allowRemote && !this.hosts.has(req.headers.host ?? '')) throw new HttpError(403, 'FORBIDDEN_HOST', `Host ${JSON.stringify(req.headers.host ?? '')} is not this listener (${[...this.hosts].join(' or ')})`);
    const url = new URL(req.url ?? '/', 'http://x');
    const origin = req.headers.origin;
    const allowedOrigin = origin !== undefined && this.config.origins.includes(origin);
    if (allowedOrigin) {
      res.setHeader('Access-Control-Allow-Origin', origin);
      res.setHeader('Vary', 'Origin');
    }
    if (req.method === 'OPTIONS' && allowedOrigin) {
      res.writeHead(204, { 'Access-Control-Allow-Methods': 'GET, POST', 'Access-Control-Allow-Headers': 'Authorization, Content-Type', 'Access-Control-Max-Age': '600' });
      return void res.end();
    }
    // The token URL a user opens once: it becomes an HttpOnly, SameSite=Strict cookie, and the address bar loses it.
    if (url.pathname === '/' && url.searchParams.has('token')) {
      if (!sameToken(url.searchParams.get('token') ?? '', this.token)) throw new HttpError(401, 'UNAUTHORIZED', 'wrong token (llama-top web prints the URL to open)');
      res.writeHead(303, { Location: '/', 'Set-Cookie': `${TOKEN_COOKIE}=${this.token}; HttpOnly; SameSite=Strict; Path=/`, 'Cache-Control': 'no-store' });
      return void res.end();
    }
    const proof = tokenProof(req, url, this.token);
    const byCookie = proof === 'cookie';
    if (proof) this.guard.authorise(req.socket);
    if (!proof) {
      if (url.pathname === '/') return this.send(res, 401, 'text/html; charset=utf-8', LOCKED_PAGE);
      throw new HttpError(401, 'UNAUTHORIZED', 'a token is needed: Authorization: Bearer <token> (the token file is in `llama-top daemon status --json` under http.tokenFile)', { 'WWW-Authenticate': 'Bearer realm="llama-top"' });
    }
    // A cookie alone never changes anything from another origin (CSRF): same-origin browsers send Origin on POST.
    if (req.method === 'POST' && byCookie && !(origin !== undefined && this.ownOrigins.has(origin)))
      throw new HttpError(403, 'FORBIDDEN_ORIGIN', 'a request that changes the stack needs the Authorization header, or to come from the status page itself');

    const parts = pathSegments(url.pathname);
    if (!parts) throw new HttpError(400, 'BAD_REQUEST', `${url.pathname}: a malformed percent-escape`);
    const method = (allowed: string[]) => {
      if (!allowed.includes(req.method ?? '')) throw new HttpError(405, 'METHOD_NOT_ALLOWED', `${req.method} is not allowed on ${url.pathname} (${allowed.join(', ')})`, { Allow: allowed.join(', ') });
    };
    if (url.pathname === '/') {
      method(['GET']);
      return this.send(res, 200, 'text/html; charset=utf-8', STATUS_PAGE);
    }
    if (url.pathname === '/metrics') {
      method(['GET']);
      const { services } = (await this.ask({ type: 'status' })) as { services: ServiceStatus[] };
      return this.send(res, 200, 'text/plain; version=0.0.4; charset=utf-8', prometheusText(this.daemon.stack(), services));
    }
    if (parts[0] !== 'api') throw new HttpError(404, 'NOT_FOUND', `no ${url.pathname} here (see /api/status, /api/events, /metrics)`);
    const [, what, name, action] = parts;
    if (what === 'status' && parts.length === 2) {
      method(['GET']);
      return this.json(res, 200, await this.ask({ type: 'status' }));
    }
    if (what === 'events' && parts.length === 2) {
      method(['GET']);
      return this.stream(req, res, { type: 'subscribe' });
    }
    if (what === 'models' && parts.length === 2) {
      method(['GET']);
      return this.json(res, 200, await this.ask({ type: 'models', names: [] }));
    }
    if (what === 'backend' && parts.length === 2) {
      method(['GET']);
      return this.json(res, 200, await this.ask({ type: 'backend-report', health: url.searchParams.get('health') === '1' }));
    }
    if (what === 'backend' && name === 'switch' && parts.length === 3) {
      method(['POST']);
      const body = await readJson(req);
      if (typeof body.name !== 'string') throw new HttpError(400, 'BAD_REQUEST', 'the body must be {"name": "<backend>", "force"?: true}');
      return this.json(res, 200, await this.ask({ type: 'backend-switch', name: body.name, force: body.force === true }));
    }
    if (what === 'services' && name !== undefined && action === 'logs' && parts.length === 4) {
      method(['GET']);
      const lines = Math.min(10_000, Math.max(0, Number(url.searchParams.get('lines') ?? 100) || 0));
      const [log] = ((await this.ask({ type: 'logs', names: [name], lines, sinceMs: null, times: true })) as { logs: Array<{ service: string; lines: Array<{ text: string; at: number | null }> }> }).logs;
      if (url.searchParams.get('follow') === '1') return this.stream(req, res, { type: 'logs-follow', names: [name], times: true }, { service: name, lines: log?.lines.map(timedLine) ?? [] });
      return this.json(res, 200, { service: name, lines: log?.lines.map(timedLine) ?? [] });
    }
    if (what === 'services' && name !== undefined && action !== undefined && ACTIONS.has(action) && parts.length === 4) {
      method(['POST']);
      await readJson(req); // nothing is needed, but a body over the limit is still refused
      const wait = url.searchParams.get('wait') !== '0';
      const request: RequestBody =
        action === 'start' || action === 'restart' ? { type: action, names: [name], wait } : { type: 'stop', names: [name], force: action === 'kill' };
      const answer = (await this.ask(request)) as { results: StartOutcome[] };
      if (wait || answer.results.length > 0) return this.json(res, 200, answer);
      // Not waited for: the documented shape still, each service as the request left it (e.g. "starting").
      const { services } = (await this.ask({ type: 'status' })) as { services: ServiceStatus[] };
      return this.json(res, 200, { results: acceptedOutcomes([name], services) });
    }
    throw new HttpError(404, 'NOT_FOUND', `no ${req.method} ${url.pathname} here`);
  }

  /** A request with a throwaway subscriber: the answer is all there is. */
  private ask(request: RequestBody): Promise<unknown> {
    const sink: Subscriber = { subscribed: false, inFlight: 0, onClose: [], send: () => undefined, close: () => undefined };
    return this.daemon.handle({ ...request, id: 0 } as Request, sink);
  }

  /** A Server-Sent Events stream: what the daemon pushes to this subscriber, one event each; a comment every 15 s. */
  private async stream(req: http.IncomingMessage, res: http.ServerResponse, request: RequestBody, first?: unknown): Promise<void> {
    if (this.streams >= MAX_EVENT_STREAMS) throw new HttpError(503, 'TOO_MANY_STREAMS', `${MAX_EVENT_STREAMS} event streams are open already`, { 'Retry-After': '5' });
    this.streams++;
    res.writeHead(200, { 'Content-Type': 'text/event-stream; charset=utf-8', 'Cache-Control': 'no-store', Connection: 'keep-alive', 'X-Accel-Buffering': 'no' });
    const write = (text: string) => {
      if (res.destroyed) return;
      if (res.writableLength > MAX_UNREAD_BYTES) return void res.destroy(); // stuck or slow: dropped, never waited for
      res.write(text);
    };
    const event = (name: string, data: unknown) => write(`event: ${name}\ndata: ${JSON.stringify(data)}\n\n`);
    const subscriber: Subscriber = {
      subscribed: false,
      inFlight: 0,
      onClose: [],
      send: (message: Response | Push) => {
        if (!('push' in message)) return;
        if (message.push === 'snapshot') event('snapshot', { services: message.services });
        else if (message.push === 'event') event('state', message.event);
        else if (message.push === 'log') event('log', { service: message.service, lines: message.lines.map(timedLine) });
        else if (message.push === 'log-gap') event('log-gap', { service: message.service, chunks: message.chunks });
        else if (message.push === 'bye') event('bye', { reason: message.reason });
      },
      close: () => res.destroy(),
    };
    write(`retry: 2000\n\n`);
    if (first !== undefined) event('log', first);
    const heartbeat = setInterval(() => write(': heartbeat\n\n'), heartbeatMs());
    const done = () => {
      clearInterval(heartbeat);
      this.streams--;
      this.daemon.detach(subscriber);
    };
    res.once('close', done);
    req.socket.setTimeout(0);
    this.daemon.attach(subscriber);
    await this.daemon.handle({ ...request, id: 0 } as Request, subscriber);
  }

  private json(res: http.ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}): void {
    this.send(res, status, 'application/json; charset=utf-8', JSON.stringify(body), headers);
  }

  private send(res: http.ServerResponse, status: number, type: string, body: string, headers: Record<string, string> = {}): void {
    res.writeHead(status, { 'Content-Type': type, 'Cache-Control': 'no-store', 'X-Content-Type-Options': 'nosniff', ...headers });
    res.end(body);
  }
}

/** The outcome of a request taken and not waited for: ok, in the state it left each named service. Pure. */
export function acceptedOutcomes(names: string[], services: ServiceStatus[]): StartOutcome[] {
  return names.map((name) => ({ name, ok: true, state: services.find((s) => s.name === name)?.state ?? 'stopped', error: null, elapsedMs: 0 }));
}

/** The request's JSON body ({} when empty); 413 past MAX_BODY_BYTES, 400 when it is not a JSON object. */
function readJson(req: http.IncomingMessage): Promise<Record<string, unknown>> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    req.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (size > MAX_BODY_BYTES) {
        reject(new HttpError(413, 'BODY_TOO_LARGE', `the body is over ${MAX_BODY_BYTES} bytes`));
        req.resume();
        return;
      }
      chunks.push(chunk);
    });
    req.on('end', () => {
      if (size > MAX_BODY_BYTES) return;
      const text = Buffer.concat(chunks).toString('utf8').trim();
      if (!text) return resolve({});
      try {
        const value = JSON.parse(text) as unknown;
        if (typeof value !== 'object' || value === null || Array.isArray(value)) throw new Error('not an object');
        resolve(value as Record<string, unknown>);
      } catch {
        reject(new HttpError(400, 'BAD_REQUEST', 'the body must be a JSON object'));
      }
    });
    req.on('error', reject);
  });
}

const LOCKED_PAGE = `<!doctype html><meta charset="utf-8"><title>llama-top</title>
<body style="font:15px system-ui;margin:3em"><h1>llama-top</h1><p>This page needs its token. Open the URL that
<code>llama-top web</code> prints (it ends in <code>?token=…</code>); your browser keeps it after that.</p></body>`;
