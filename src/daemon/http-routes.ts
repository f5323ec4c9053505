import type { ParamsIn, RequestType, Result } from '../protocol/requests.js';
import type { ServiceStatus, StartOutcome } from '../protocol/messages.js';

/** What a route reads its request's params from. */
export interface RouteInput {
  /** The `:name` segment, when the path has one. */
  name: string;
  query: URLSearchParams;
  /** The JSON body ({} for GET). */
  body: Record<string, unknown>;
}

/** How a route answers, beyond plain JSON of the result. */
export interface RouteReplies {
  json(body: unknown): void;
  /** Answers with a Server-Sent Events stream of what `type` pushes (first: one `log` event sent before them). */
  stream<K extends RequestType>(type: K, params: ParamsIn<K>, first?: unknown): Promise<void>;
  prometheus(services: ServiceStatus[]): void;
  timedLogs(answer: Result<'logs'>): { service: string; lines: unknown[] };
}

export interface Route<K extends RequestType> {
  method: 'GET' | 'POST';
  /** A path of the API, with at most one `:name` segment. */
  path: string;
  type: K;
  params: (input: RouteInput) => ParamsIn<K>;
  /** What to say when the params do not check (400); the table's own reason otherwise. */
  usage?: string;
  /** Default: the result as JSON. A stream route (`subscribe`, `logs-follow`) is answered by `stream` instead. */
  reply?: (answer: Result<K>, input: RouteInput, replies: RouteContext) => void | Promise<void>;
  /** Answered as an event stream: the request is made with the stream as its subscriber. */
  streams?: boolean;
}

/** How the listener serves routes: asks the daemon (params checked by the table, 400 with `usage` else) and replies. */
export interface RouteContext extends RouteReplies {
  ask<K extends RequestType>(type: K, params: ParamsIn<K>, usage?: string): Promise<Result<K>>;
}

/** A route of the table, its request type erased: what the listener matches and serves. */
export interface HttpRoute {
  method: 'GET' | 'POST';
  path: string;
  type: RequestType;
  serve(input: RouteInput, context: RouteContext): Promise<void>;
}

function route<K extends RequestType>(r: Route<K>): HttpRoute {
  return {
    method: r.method,
    path: r.path,
    type: r.type,
    async serve(input, context) {
      const params = r.params(input);
      if (r.streams) return context.stream(r.type, params);
      const answer = await context.ask(r.type, params, r.usage);
      return r.reply ? r.reply(answer, input, context) : context.json(answer);
    },
  };
}

const lines = (query: URLSearchParams) => Math.min(10_000, Math.max(0, Number(query.get('lines') ?? 100) || 0));
const wait = (query: URLSearchParams) => query.get('wait') !== '0';
/** `?probes=0` leaves out llama-top's own requests (health checks, figures), as the TUI folds them. */
const probes = (query: URLSearchParams) => query.get('probes') !== '0';
/** A query's number of seconds (null when absent; NaN, which the table refuses, when not a number). */
const seconds = (value: string | null) => (value === null || value === '' ? null : /^\d+(\.\d+)?$/.test(value) ? Number(value) : Number.NaN);
/** `?now=1`: skip the drain. */
const now = (query: URLSearchParams) => query.get('now') === '1';

/** The outcome of a start or restart taken and not waited for: ok, in the state it left each named service. Pure. */
export function acceptedOutcomes(names: string[], services: ServiceStatus[]): StartOutcome[] {
  return names.map((name) => ({ name, ok: true, state: services.find((s) => s.name === name)?.state ?? 'stopped', error: null, elapsedMs: 0 }));
}

/** `?wait=0` still answers the documented `{"results": [{name, ok, state, error, elapsedMs}]}`. */
const accepted = async (answer: Result<'start'>, { name, query }: RouteInput, r: RouteContext) => {
  if (wait(query) || answer.results.length > 0) return r.json(answer);
  const { services } = await r.ask('status', {});
  r.json({ results: acceptedOutcomes([name], services) });
};

/** The HTTP API: one line a route, `method + path → (request type, params)`; every request goes to the daemon's table. */
export const ROUTES: HttpRoute[] = [
  route({ method: 'GET', path: '/metrics', type: 'status', params: () => ({}), reply: (a, _, r) => r.prometheus(a.services) }),
  route({ method: 'GET', path: '/api/status', type: 'status', params: () => ({}) }),
  route({ method: 'GET', path: '/api/daemon', type: 'daemon-info', params: () => ({}) }),
  route({ method: 'GET', path: '/api/events', type: 'subscribe', params: () => ({ samples: true }), streams: true }),
  route({ method: 'GET', path: '/api/models', type: 'models', params: () => ({ names: [] }) }),
  route({ method: 'GET', path: '/api/backend', type: 'backend-report', params: ({ query }) => ({ health: query.get('health') === '1' }) }),
  route({ method: 'POST', path: '/api/backend/switch', type: 'backend-switch', params: ({ body }) => ({ name: body.name as string, force: body.force === true }), usage: 'the body must be {"name": "<backend>", "force"?: true}' }),
  route({ method: 'GET', path: '/api/services/:name/logs', type: 'logs', params: ({ name, query }) => ({ names: [name], lines: lines(query), sinceMs: null, times: true, probes: probes(query) }), reply: (a, { name, query }, r) => (query.get('follow') === '1' ? r.stream('logs-follow', { names: [name], times: true, probes: probes(query) }, r.timedLogs(a)) : r.json(r.timedLogs(a))) }),
  route({ method: 'GET', path: '/api/serve', type: 'serve-activity', params: () => ({}) }),
  route({ method: 'GET', path: '/api/history', type: 'history', params: ({ query }) => ({ service: query.get('service'), since: seconds(query.get('since')) }), usage: '?service=NAME (optional) &since=SECONDS (optional: the last SECONDS seconds, default all kept)' }),
  route({ method: 'POST', path: '/api/services/:name/start', type: 'start', params: ({ name, query }) => ({ names: [name], wait: wait(query) }), reply: accepted }),
  route({ method: 'POST', path: '/api/services/:name/restart', type: 'restart', params: ({ name, query }) => ({ names: [name], wait: wait(query), now: now(query) }), reply: accepted }),
  route({ method: 'POST', path: '/api/services/:name/stop', type: 'stop', params: ({ name, query }) => ({ names: [name], force: false, now: now(query) }) }),
  route({ method: 'POST', path: '/api/services/:name/kill', type: 'stop', params: ({ name }) => ({ names: [name], force: true }) }),
];

/** The routes whose path matches `parts` (the decoded segments), with the `:name` each captured. */
export function matchRoutes(parts: string[]): Array<{ route: HttpRoute; name: string }> {
  const found: Array<{ route: HttpRoute; name: string }> = [];
  for (const r of ROUTES) {
    const pattern = r.path.split('/').filter(Boolean);
    if (pattern.length !== parts.length) continue;
    let name = '';
    if (pattern.every((p, i) => (p === ':name' ? ((name = parts[i]!), true) : p === parts[i]))) found.push({ route: r, name });
  }
  return found;
}
