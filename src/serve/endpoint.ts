import http, { type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { ServeConfig } from '../config/types.js';
import { sameToken } from '../daemon/http-auth.js';
import { serverKind } from '../kinds/index.js';
import type { Supervisor } from '../supervisor/supervisor.js';
import { ServeError, type Attempt, type ServedModel, type ServeOutcome } from './contract.js';
import { dialectErrorsFor, findDialectRoute, type DialectErrors } from './dialects.js';
import { Gateway, type GatewayEvents } from './gateway.js';
import { asServeError, sendError } from './openai-error.js';
import { BODY_LIMITS, BodyBudget, BodyRefused, modelOf, optionalModel, readBody, type BodyLimits } from './request-body.js';
import { isServedService } from './served-names.js';

export interface EndpointHooks extends GatewayEvents {
  /** A request refused before it reached a service (400, 401, 404, 503, 504…). */
  refused(request: { at: number; model: string; service: string; status: number; message: string }): void;
  /** `/metrics` of the endpoint itself. */
  metricsText(): string;
}

/** What a request is, once its route is known. */
type Handler = (req: IncomingMessage, res: ServerResponse, body: Buffer, attempt: Attempt) => Promise<void>;

/**
 * The serve endpoint's HTTP side: checks the API key, reads the body (bounded), and routes: a dialect's route first
 * (ollama's `/api/*`), then `GET /v1/models`, a server's own API prefix passed through, and every other `/v1/*` by
 * the body's `model`. Errors in OpenAI's shape.
 */
export class ServeEndpoint {
  readonly gateway: Gateway;
  private server: http.Server | null = null;
  private readonly sockets = new Set<import('node:net').Socket>();
  /** The bytes of every body received or being forwarded: bounded by limits.maxBufferedBytes. */
  readonly bodies: BodyBudget;

  constructor(
    private config: ServeConfig,
    private readonly supervisor: Supervisor,
    private readonly hooks: EndpointHooks,
    private readonly limits: BodyLimits = BODY_LIMITS,
  ) {
    this.bodies = new BodyBudget(limits.maxBufferedBytes);
    this.gateway = new Gateway(supervisor, hooks);
    this.gateway.dropAuthorization = config.apiKeys.length > 0;
  }

  get url(): string {
    const address = this.server?.address() as AddressInfo | null;
    const host = this.config.host.includes(':') ? `[${this.config.host}]` : this.config.host;
    return `http://${host}:${address?.port ?? this.config.port}`;
  }

  /** The settings it listens with (a reload compares them). */
  get settings(): ServeConfig {
    return this.config;
  }

  /** Takes new keys without a new listener. */
  updateKeys(config: ServeConfig): void {
    this.config = config;
    this.gateway.dropAuthorization = config.apiKeys.length > 0;
  }

  listen(): Promise<void> {
    // Connections are checked for the timeouts below every 5 s (Node's default, 30 s, would let a header trickle run
    // 45 s).
    const server = http.createServer({ noDelay: true, keepAlive: true, connectionsCheckingInterval: 5_000 }, (req, res) => void this.handle(req, res));
    server.on('connection', (socket) => {
      socket.setNoDelay(true);
      this.sockets.add(socket);
      socket.on('close', () => this.sockets.delete(socket));
    });
    // A body too large is refused before the client sends it when it asks first (curl does for large bodies).
    server.on('checkContinue', (req, res) => {
      if (!(Number(req.headers['content-length']) > this.limits.maxBytes)) res.writeContinue();
      void this.handle(req, res);
    });
    Object.assign(server, serverTimeouts(this.limits));
    return new Promise((resolve, reject) => {
      server.once('error', reject);
      server.listen(this.config.port, this.config.host, () => {
        server.off('error', reject);
        this.server = server;
        resolve();
      });
    });
  }

  async close(): Promise<void> {
    this.gateway.dispose();
    const server = this.server;
    this.server = null;
    if (!server) return;
    await new Promise<void>((resolve) => {
      server.close(() => resolve());
      for (const socket of this.sockets) socket.destroy();
    });
  }

  private async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const at = Date.now();
    const path = (req.url ?? '/').split('?')[0]!;
    const attempt: Attempt = { model: '-', service: '-' };
    // ollama's paths say every error in ollama's shape, from the 401 on; the rest in OpenAI's.
    const dialect = dialectErrorsFor(path);
    try {
      if (!this.hostAllowed(req.headers.host))
        throw new ServeError(403, `Host "${req.headers.host ?? ''}" is not this endpoint's address: use ${this.url} (a web page on another name reaching a loopback port is DNS rebinding), or set serve.allowRemote: true`, 'invalid_request_error', 'host_not_allowed');
      if (!this.authorized(req)) throw new ServeError(401, 'missing or wrong API key: send Authorization: Bearer KEY with a key of serve.apiKeys', 'invalid_request_error', 'invalid_api_key');
      const body = req.method === 'GET' || req.method === 'HEAD' ? Buffer.alloc(0) : await readBody(req, this.bodies, this.limits);
      // Its bytes count against the bodies' budget until the answer is done (forward keeps the body till then).
      res.once('close', () => this.bodies.give(body.length));
      const handler = this.route(req.method ?? 'GET', path);
      await handler(req, res, body, attempt);
    } catch (error) {
      const e = dialect ? dialect.asError(error) : asServeError(error);
      this.hooks.refused({ at, ...attempt, status: e.status, message: e.message });
      if (e instanceof BodyRefused) return this.refuseBody(req, res, e, dialect);
      if (e.status !== 499) (dialect ? dialect.send : sendError)(res, e); // 499: the client left, nobody to answer
    }
  }

  /**
   * A body refused while it came: a stalled one's connection is closed with the answer; the rest of one too large
   * (or refused as the server is busy) is read and dropped for up to BODY_LINGER_MS, so that the client, still
   * sending, reads the answer instead of a reset connection, then its connection is closed if it is still sending.
   */
  private refuseBody(req: IncomingMessage, res: ServerResponse, error: BodyRefused, dialect: DialectErrors | null): void {
    const send = dialect ? dialect.send : sendError;
    if (error.stalled) {
      send(res, error, { connection: 'close' });
      return;
    }
    req.on('data', () => undefined);
    req.resume();
    send(res, error);
    if (req.complete) return;
    const linger = setTimeout(() => req.socket.destroy(), BODY_LINGER_MS);
    req.once('end', () => clearTimeout(linger));
    req.socket.once('close', () => clearTimeout(linger));
  }

  /** On loopback, only loopback names may be asked for (a page that rebinds its name to 127.0.0.1 may not). */
  private hostAllowed(host: string | undefined): boolean {
    if (this.config.allowRemote) return true;
    const name = (host ?? '').replace(/:\d+$/, '').replace(/^\[|\]$/g, '').toLowerCase();
    return name === 'localhost' || name === '::1' || /^127\.\d+\.\d+\.\d+$/.test(name) || name === this.config.host.toLowerCase();
  }

  private authorized(req: IncomingMessage): boolean {
    if (this.config.apiKeys.length === 0) return true;
    // The scheme is case-insensitive (RFC 7235): some clients send `bearer`.
    const bearer = /^bearer +(.+)$/i.exec(req.headers.authorization ?? '')?.[1]?.trim();
    return this.config.apiKeys.some((key) => sameToken(bearer, key));
  }

  /** The route table: one line each. */
  private route(method: string, path: string): Handler {
    const dialect = findDialectRoute(method, path);
    if (dialect) return (req, res, body, attempt) => dialect.handler(req, res, body, this.gateway, attempt);
    if (method === 'GET' && (path === '/v1/models' || path === '/models')) return (_req, res) => this.listModels(res);
    if (method === 'GET' && path.startsWith('/v1/models/')) return (_req, res) => this.oneModel(res, decodeOr(path.slice('/v1/models/'.length)));
    if (method === 'GET' && path === '/metrics') return (_req, res) => this.metrics(res);
    if (method === 'GET' && path === '/health') return async (_req, res) => sendJson(res, 200, { status: 'ok' });
    const own = this.ownApiService(path);
    if (own) return (req, res, body, attempt) => this.passThrough(own, req, res, body, attempt);
    if (path.startsWith('/v1/') && method === 'POST') return (req, res, body, attempt) => this.through(modelOf(body), req, res, body, attempt);
    // Any other method on a /v1/* route (a browser's GET of /v1/chat/completions): 405, as OpenAI answers it.
    if (path.startsWith('/v1/') && path !== '/v1/models' && !path.startsWith('/v1/models/'))
      return async () => {
        throw new ServeError(405, `${method} ${path} is not allowed: send POST with a JSON body that names a "model" (GET /v1/models lists them)`, 'invalid_request_error', 'method_not_allowed', { allow: 'POST' });
      };
    return async () => {
      throw new ServeError(404, `no ${method} ${path} here: the endpoint serves POST /v1/chat/completions, /v1/completions, /v1/embeddings (and any /v1/* with a "model"), GET /v1/models`, 'invalid_request_error', 'not_found');
    };
  }

  /** Acquire, forward, release: the path of every request that reaches a service. */
  private async through(name: string, req: IncomingMessage, res: ServerResponse, body: Buffer, attempt: Attempt, model?: ServedModel): Promise<void> {
    attempt.model = name;
    if (model) attempt.service = model.service;
    const left = new AbortController();
    const onClose = () => !res.writableFinished && left.abort();
    res.on('close', onClose);
    try {
      const served = model ?? (await this.gateway.resolve(name));
      if (!served) throw await this.gateway.unknownModel(name);
      attempt.service = served.service;
      const lease = await this.gateway.acquireService(served, { signal: left.signal });
      let outcome: ServeOutcome = { status: 502, note: 'not forwarded' };
      try {
        outcome = await this.gateway.forward(lease, req, res, body);
      } finally {
        lease.release(outcome);
      }
    } finally {
      res.off('close', onClose);
    }
  }

  /** A server's own API (ollama's `/api/*` with no dialect route): to the service the body's model names, else the first of that kind. */
  private async passThrough(kind: string, req: IncomingMessage, res: ServerResponse, body: Buffer, attempt: Attempt): Promise<void> {
    const named = optionalModel(body);
    const models = await this.gateway.models();
    const model = (named ? models.find((m) => m.kind === kind && (m.name === named || m.name === `${named}:latest`)) : null) ?? models.find((m) => m.kind === kind);
    if (!model) throw new ServeError(404, `no ${kind} service serves ${req.url}`, 'invalid_request_error', 'not_found');
    await this.through(model.name, req, res, body, attempt, model);
  }

  /** The kind of the first served service whose own API has this path's prefix (ollama: `/api/`), or null. */
  private ownApiService(path: string): string | null {
    for (const svc of this.supervisor.config.services) {
      if (!isServedService(svc)) continue;
      const prefix = serverKind(svc.kind)?.ownApiPrefix;
      if (prefix && path.startsWith(prefix)) return svc.kind;
    }
    return null;
  }

  private async listModels(res: ServerResponse): Promise<void> {
    const models = await this.gateway.models();
    sendJson(res, 200, {
      object: 'list',
      data: models.map((m) => ({ id: m.name, object: 'model', created: 0, owned_by: 'llama-top', service: m.service, kind: m.kind, state: m.state })),
    });
  }

  private async oneModel(res: ServerResponse, name: string): Promise<void> {
    const m = await this.gateway.resolve(name);
    if (!m) throw new ServeError(404, `model "${name}" is not served here (GET /v1/models lists them)`, 'invalid_request_error', 'model_not_found');
    sendJson(res, 200, { id: m.name, object: 'model', created: 0, owned_by: 'llama-top', service: m.service, kind: m.kind, state: m.state });
  }

  private async metrics(res: ServerResponse): Promise<void> {
    const text = this.hooks.metricsText();
    res.writeHead(200, { 'content-type': 'text/plain; version=0.0.4; charset=utf-8', 'content-length': Buffer.byteLength(text) });
    res.end(text);
  }
}

/** How long the rest of a refused body is read and dropped before its connection is closed. */
const BODY_LINGER_MS = 2_000;

/**
 * The listener's own timeouts, against a slowloris on the headers and idle connections: headers within 15 s (a
 * client sends them in one write), the whole request (headers and body) within the body's limit and 10 s more (the
 * body's own 408 comes first), an idle kept connection closed after 5 s. An answer, however long it streams, is not
 * bounded by any of them. Pure.
 */
export const serverTimeouts = (limits: BodyLimits) => ({ headersTimeout: 15_000, requestTimeout: limits.totalMs + 10_000, keepAliveTimeout: 5_000 });

function sendJson(res: ServerResponse, status: number, value: unknown): void {
  const text = JSON.stringify(value);
  res.writeHead(status, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(text) });
  res.end(text);
}

/** A path segment decoded, or as it is when its percent-escapes are broken (then it names no model: 404, not 500). */
function decodeOr(segment: string): string {
  try {
    return decodeURIComponent(segment);
  } catch {
    return segment;
  }
}
