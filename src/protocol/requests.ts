import { z } from 'zod';
import type { ServeActivityReport } from './serve-activity.js';
import type { ContainmentInfo, DaemonInfo, ServeEndpointInfo, ServiceStatus, StartOutcome } from './status.js';
import type { BackendReport, HttpListenerInfo, ModelsReport, ReloadResult, ServiceLogs, SwitchResult } from './results.js';
import type { HistoryAnswer } from './history.js';
import type { JournalPage, NotifyOutcome } from './journal.js';
import type { StackConfig } from './stack-config.js';

/** The answer type of a request: a phantom value that only carries `T` for the compiler. */
const answer = <T>(): T => undefined as T;

/** A request without params (any extra keys are ignored, as they always were). */
const none = z.looseObject({}).transform((): Record<never, never> => ({}));
const NAMES = 'must be an array of service names';
const names = z.array(z.string({ error: NAMES }), { error: NAMES }).default([]);
const env = z.record(z.string(), z.string(), { error: 'must be an object of strings, or null' }).nullable();
/** The config a client parsed and validated (checked here only for its shape), or null: the daemon reads its own file. */
const config = z
  .custom<StackConfig>((c) => typeof c === 'object' && c !== null && typeof (c as StackConfig).file === 'string' && Array.isArray((c as StackConfig).services), {
    error: 'must be the validated config (file, services, …), or null to read the file in the daemon',
  })
  .nullable()
  .default(null);

/**
 * Every request a client can send the daemon: its params (checked on arrival) and its answer. This map is the
 * contract: `Request`, `DaemonApi`, `parseRequest` and the daemon's handler table are derived from it, so adding a
 * request is an entry here and its handler in src/daemon/handlers/.
 */
export const REQUESTS = {
  /** Every service, and what is wrong with the stack as a whole (a full disk, lost state). */
  status: { params: none, result: answer<{ services: ServiceStatus[]; problems: string[]; containment?: ContainmentInfo; serve?: ServeEndpointInfo }>() },
  'daemon-info': { params: none, result: answer<DaemonInfo>() },
  /** `wait`: answer once each is ready or failed (else at once, with no results). `force`: start despite live copies. */
  start: { params: z.object({ names, wait: z.boolean().default(true), force: z.boolean().default(false) }), result: answer<{ results: StartOutcome[] }>() },
  /** `now`: skip the drain (a ready LLM server's stop otherwise waits for its requests in flight, up to drainTimeout). */
  restart: { params: z.object({ names, wait: z.boolean().default(true), force: z.boolean().default(false), now: z.boolean().default(false) }), result: answer<{ results: StartOutcome[] }>() },
  /** `force`: SIGKILL at once; `now`: skip the drain. */
  stop: { params: z.object({ names, force: z.boolean().default(false), now: z.boolean().default(false) }), result: answer<{ results: StartOutcome[] }>() },
  /** A snapshot push, then every change, until the connection ends (`samples`: and a `sample` push per sampling interval). */
  subscribe: { params: z.object({ samples: z.boolean().default(false) }), result: answer<null>() },
  'daemon-stop': { params: z.object({ all: z.boolean().default(false) }), result: answer<null>() },
  /** The chat app's backends and their health (only: one of them). */
  'backend-report': { params: z.object({ only: z.string().optional(), health: z.boolean().default(false) }), result: answer<BackendReport>() },
  /** Switches the chat app's backend in the daemon: check, rewrite, restart, rollback. */
  'backend-switch': { params: z.object({ name: z.string({ error: 'must be a backend of backend.choices' }), force: z.boolean().default(false) }), result: answer<SwitchResult>() },
  /**
   * Services' logs, read by the daemon: the last `lines` of each (or of those written since `sinceMs` ago); `probes:
   * false` leaves out llama-top's own requests, as the service's kind recognises them.
   */
  logs: {
    params: z.object({ names, lines: z.number({ error: 'must be a number of lines' }), sinceMs: z.number().nullable().default(null), times: z.boolean().default(false), probes: z.boolean().default(true) }),
    result: answer<{ logs: ServiceLogs[] }>(),
  },
  /** From now on, every new line of these services, as `log` pushes, until the connection ends (`probes: false`: without llama-top's own requests). */
  'logs-follow': { params: z.object({ names, times: z.boolean().default(false), probes: z.boolean().default(true) }), result: answer<null>() },
  /** A TUI pane: its last screenful, sent only when it changed since `mark` (lines null: unchanged). */
  'log-tail': {
    params: z.object({ name: z.string({ error: 'must be a service name' }), lines: z.number({ error: 'must be a number of lines' }), mark: z.string().nullable().default(null), probes: z.boolean().default(true) }),
    result: answer<{ mark: string; lines: string[] | null }>(),
  },
  /** Applies a config: one the client parsed and validated, or (null: a client on another machine) the daemon's own file. */
  reload: { params: z.object({ config }), result: answer<ReloadResult>() },
  /** The config the daemon runs (a client on another machine cannot read the file). */
  'stack-config': { params: none, result: answer<StackConfig>() },
  /** Starts the HTTP listener for this daemon's life (the config's `http:`, else 127.0.0.1:7878). */
  'http-start': { params: none, result: answer<HttpListenerInfo>() },
  /** What each LLM server serves (its /v1/models, the GGUF header, ollama's tags), asked by the daemon. */
  models: { params: z.object({ names }), result: answer<{ services: ModelsReport[] }>() },
  /** Sets (or with null clears) environment applied on the service's next start. */
  'set-env': { params: z.object({ name: z.string({ error: 'must be a service name' }), env }), result: answer<null>() },
  /** The event journal's entries after `since` (an ISO time; null: all it keeps), at most `limit` (the newest), oldest first. */
  journal: {
    params: z.object({
      since: z.string().refine((t) => !Number.isNaN(Date.parse(t)), 'must be an ISO time (2026-01-31T03:00:00Z) or null').nullable().default(null),
      limit: z.number().int().min(1, 'must be a positive integer or null').nullable().default(null),
    }),
    result: answer<JournalPage>(),
  },
  /**
   * Each service's figures over time (CPU, memory, tok/s, requests processing, slots busy: the last hour at the
   * sampling interval, a day of 1-minute means before it) and the marks on that time line (restarts, crashes,
   * backend switches): of `service` (null: all), of the last `since` seconds (null: all kept).
   */
  /** The serve endpoint's recent activity for the status page (null without `serve:`). */
  'serve-activity': { params: none, result: answer<ServeActivityReport | null>() },
  history: {
    params: z.object({
      service: z.string({ error: 'must be a service name or null' }).nullable().default(null),
      since: z.number({ error: 'must be a number of seconds or null' }).min(0, 'must be a number of seconds (0 or more) or null').nullable().default(null),
    }),
    result: answer<HistoryAnswer>(),
  },
  /** Sends a sample of `event` (null: each entry's first) to every matching `notify:` entry; what each did. */
  'notify-test': { params: z.object({ event: z.string().nullable().default(null) }), result: answer<{ outcomes: NotifyOutcome[] }>() },
} as const;

type Table = typeof REQUESTS;
export type RequestType = keyof Table;
/** A request's params as the daemon sees them (defaults applied). */
export type Params<K extends RequestType> = z.output<Table[K]['params']>;
/** A request's params as a client writes them (defaults may be left out). */
export type ParamsIn<K extends RequestType> = z.input<Table[K]['params']>;
export type Result<K extends RequestType> = Table[K]['result'];

/** One request on the wire, by type. */
export type RequestOf<K extends RequestType> = { id: number; type: K } & Params<K>;
export type Request = { [K in RequestType]: RequestOf<K> }[RequestType];
/** A request as a client writes it, before its id is given. */
export type RequestBody = { [K in RequestType]: { type: K } & ParamsIn<K> }[RequestType];

/** The daemon's side of one request; `C` is what the daemon gives every handler (its parts, the connection). */
export type Handler<K extends RequestType, C> = (params: Params<K>, context: C) => Promise<Result<K>> | Result<K>;
/** One handler per request type: a type missing here fails to compile. */
export type Handlers<C> = { [K in RequestType]: Handler<K, C> };

export const REQUEST_TYPES = Object.keys(REQUESTS) as RequestType[];
const isRequestType = (type: string): type is RequestType => Object.hasOwn(REQUESTS, type);

export type Parsed = { ok: true; request: Request } | { ok: false; id: number | null; error: string };

/** Checks a decoded message against the table; returns the request (defaults applied) or a one-line reason. Pure. */
export function parseRequest(value: unknown): Parsed {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return { ok: false, id: null, error: 'a request must be a JSON object' };
  const v = value as Record<string, unknown>;
  const id = typeof v.id === 'number' && Number.isInteger(v.id) ? v.id : null;
  if (id === null) return { ok: false, id: null, error: 'request.id must be an integer' };
  if (typeof v.type !== 'string') return { ok: false, id, error: `request.type must be a string, not ${Array.isArray(v.type) ? 'an array' : typeof v.type}` };
  const type = v.type;
  if (!isRequestType(type)) return { ok: false, id, error: `unknown request type ${JSON.stringify(type.slice(0, 100))}` };
  const { id: _id, type: _type, ...rest } = v;
  const parsed = parseParams(type, rest);
  return parsed.ok ? { ok: true, request: { ...parsed.params, id, type } as Request } : { ok: false, id, error: parsed.error };
}

/** Checks the params of a request of `type` (defaults applied), or says in one line what is wrong. Pure. */
export function parseParams<K extends RequestType>(type: K, value: unknown): { ok: true; params: Params<K> } | { ok: false; error: string } {
  const parsed = REQUESTS[type].params.safeParse(value);
  if (parsed.success) return { ok: true, params: parsed.data as Params<K> }; // the schema of K made it
  const issue = parsed.error.issues[0]!;
  const key = issue.path.filter((p) => typeof p === 'string').join('.'); // names, not names.0: the key a client wrote
  return { ok: false, error: key ? `request.${key} ${issue.message} (${type})` : `${type}: ${issue.message}` };
}
