import crypto from 'node:crypto';
import fs from 'node:fs';
import http from 'node:http';
import type { HttpConfig } from '../config/types.js';
import { errorMessage, isLlamaTopError, type ErrorCode } from '../protocol/errors.js';
import type { Push, Response } from '../protocol/messages.js';
import { parseParams, type ParamsIn, type RequestOf, type RequestType, type Result } from '../protocol/requests.js';
import { timedLine } from '../logs/timed-line.js';
import { pageAsset } from '../web/page-assets.js';
import { matchRoutes, type HttpRoute, type RouteInput } from './http-routes.js';
import { pathSegments, sameToken, tokenProof, TOKEN_COOKIE } from './http-auth.js';
import { ConnectionGuard } from './http-guard.js';
import { prometheusText } from './prometheus-text.js';
import type { Subscriber } from './server.js';

/** What the listener needs of the daemon: every request goes through its one handler, as the socket's do. */
export interface HttpDaemon {
  stack: () => string;
  /** More Prometheus text for /metrics (the serve endpoint's figures), or ''. */
  moreMetrics?: () => string;
  handle<K extends RequestType>(request: RequestOf<K>, subscriber: Subscriber): Promise<Result<K>>;
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
    if (url.pathname === '/' || url.pathname.startsWith('/page/') || url.pathname.startsWith('/vendor/')) {
      if (req.method !== 'GET') throw new HttpError(405, 'METHOD_NOT_ALLOWED', `${req.method} is not allowed on ${url.pathname} (GET)`, { Allow: 'GET' });
      const asset = pageAsset(url.pathname);
      if (!asset) throw new HttpError(404, 'NOT_FOUND', `no ${url.pathname} here`);
      // The page asks nothing of any other host (the CSP makes sure of it): GPU boxes are often offline.
      return this.send(res, 200, asset.type, asset.body, { 'Content-Security-Policy': PAGE_CSP });
    }
    const matches = matchRoutes(parts);
    if (matches.length === 0) {
      if (!url.pathname.startsWith('/api/')) throw new HttpError(404, 'NOT_FOUND', `no ${url.pathname} here (see /api/status, /api/events, /metrics)`);
      throw new HttpError(404, 'NOT_FOUND', `no ${req.method} ${url.pathname} here`);
    }
    const match = matches.find((m) => m.route.method === req.method);
    if (!match) {
      const allowed = [...new Set(matches.map((m) => m.route.method))].join(', ');
      throw new HttpError(405, 'METHOD_NOT_ALLOWED', `${req.method} is not allowed on ${url.pathname} (${allowed})`, { Allow: allowed });
    }
    // A POST needs nothing of its body unless its route reads it, but a body over the limit is still refused.
    const body = req.method === 'POST' ? await readJson(req) : {};
    return this.serveRoute(match.route, { name: match.name, query: url.searchParams, body }, req, res);
  }

  /** One route of the table: its request checked like a socket's, asked of the daemon, answered as the route says. */
  private serveRoute(route: HttpRoute, input: RouteInput, req: http.IncomingMessage, res: http.ServerResponse): Promise<void> {
    return route.serve(input, {
      ask: (type, params, usage) => this.daemon.handle(checkedRequest(type, params, usage), sink()),
      json: (body) => this.json(res, 200, body),
      stream: (type, params, first) => this.stream(req, res, checkedRequest(type, params), first),
      prometheus: (services) => this.send(res, 200, 'text/plain; version=0.0.4; charset=utf-8', prometheusText(this.daemon.stack(), services) + (this.daemon.moreMetrics?.() ?? '')),
      timedLogs: (logs) => ({ service: input.name, lines: logs.logs[0]?.lines.map(timedLine) ?? [] }),
    });
  }

  /** A Server-Sent Events stream: what the daemon pushes to this subscriber, one event each; a comment every 15 s. */
  private async stream<K extends RequestType>(req: http.IncomingMessage, res: http.ServerResponse, request: RequestOf<K>, first?: unknown): Promise<void> {
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
        else if (message.push === 'sample') event('sample', message.sample);
        else if (message.push === 'mark') event('mark', message.mark);
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
    await this.daemon.handle(request, subscriber);
  }

  private json(res: http.ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}): void {
    this.send(res, status, 'application/json; charset=utf-8', JSON.stringify(body), headers);
  }

  private send(res: http.ServerResponse, status: number, type: string, body: string | Buffer, headers: Record<string, string> = {}): void {
    res.writeHead(status, { 'Content-Type': type, 'Cache-Control': 'no-store', 'X-Content-Type-Options': 'nosniff', ...headers });
    res.end(body);
  }
}

/** A request of `type` with `params` checked by the table (400 naming what is wrong, or the route's usage). */
function checkedRequest<K extends RequestType>(type: K, params: ParamsIn<K>, usage?: string): RequestOf<K> {
  const parsed = parseParams(type, params);
  if (!parsed.ok) throw new HttpError(400, 'BAD_REQUEST', usage ?? parsed.error);
  return { ...parsed.params, type, id: 0 };
}

/** The subscriber of a plain request: the answer is all there is. */
const sink = (): Subscriber => ({ subscribed: false, inFlight: 0, onClose: [], send: () => undefined, close: () => undefined });

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

/** The status page's files load only from this listener; its requests go only to it. */
const PAGE_CSP = "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; connect-src 'self'; base-uri 'none'; form-action 'none'; frame-ancestors 'none'";

const LOCKED_PAGE = `<!doctype html><meta charset="utf-8"><title>llama-top</title>
<body style="font:15px system-ui;margin:3em"><h1>llama-top</h1><p>This page needs its token. Open the URL that
<code>llama-top web</code> prints (it ends in <code>?token=…</code>); your browser keeps it after that.</p></body>`;
