import type { IncomingMessage, ServerResponse } from 'node:http';

/**
 * The seam between the serve endpoint's core (routing by model, on-demand start, groups, idle stop, drain, the
 * OpenAI routes) and its API dialects (ollama's `/api/*`). The core implements `ServeGateway`; a dialect only asks
 * it, so it never starts, stops or counts anything itself.
 */

/** A model name a client may send in `model`, and who serves it. */
export interface ServedModel {
  /** The name as clients send it (`alpha`, `tiny-a`, `llama3.2:1b`). */
  name: string;
  /** The llama-top service that serves it. */
  service: string;
  /** The service's kind name (`llama-server`, `ollama`, `vllm`). */
  kind: string;
  /** The service's state now (`ready`, `stopped`, `starting`, `draining` …). */
  state: string;
  /** The GGUF file behind it, where known (llama-server's `model:`). */
  file: string | null;
}

/** Where a granted request goes. */
export interface Upstream {
  service: string;
  kind: string;
  host: string;
  port: number;
}

/** How a request through the endpoint ended, for the serve log and metrics. */
export interface ServeOutcome {
  status: number;
  tokensIn?: number | null;
  tokensOut?: number | null;
  /** How it ended short, for the serve log: `client left`, `cut: stop --now` (cut-reason.ts), `upstream: ECONNRESET`. */
  note?: string | null;
}

/** One request's hold on a ready service: counted in flight from `acquire` until `release`. */
export interface Lease {
  upstream: Upstream;
  model: ServedModel;
  /** Milliseconds this request waited for a start or a swap (0: the service was ready). */
  waitedMs: number;
  /** True when this request's arrival started the service. */
  coldStart: boolean;
  /** Aborted with a CutError (cut-reason.ts) when the request must end: its drain ran out, stop --now, the server exited. */
  signal: AbortSignal;
  /** Exactly once, when the answer ended or the client left. Idempotent. */
  release(outcome: ServeOutcome): void;
}

export interface AcquireOptions {
  /** The client's side: aborted when it disconnects (a waiting request leaves the queue). */
  signal: AbortSignal;
  /** ollama's `keep_alive` for this request: overrides the service's idle stop after it (0: stop when it ends). */
  keepAliveMs?: number | null;
}

/** A running model, for ollama's `/api/ps`. */
export interface RunningModel {
  model: ServedModel;
  /** When the idle stop will stop it (epoch ms), null when it has none. */
  idleStopAt: number | null;
}

/** An error the endpoint answers with: HTTP status, OpenAI's `type` and `code`, and a message a user can act on. */
export class ServeError extends Error {
  constructor(
    readonly status: number,
    message: string,
    readonly type: string = status >= 500 ? 'server_error' : 'invalid_request_error',
    readonly code: string | null = null,
    /** Headers the answer carries (a 405's `Allow`). */
    readonly headers: Record<string, string> = {},
  ) {
    super(message);
    this.name = 'ServeError';
  }
}

export interface ServeGateway {
  /** Every model name of every LLM service (ollama's from its `/api/tags`). */
  models(): Promise<ServedModel[]>;
  /** The model of that name, or null. */
  resolve(name: string): Promise<ServedModel | null>;
  /** Models whose service runs now. */
  running(): Promise<RunningModel[]>;
  /**
   * Waits until the model's service is ready (starting it, or swapping its group, as needed; waiting while it
   * drains), then counts the request in flight. Rejects with a ServeError: 404 unknown model, 503 failed to
   * start (the daemon's reason), 504 start took longer than the service's startTimeout.
   */
  acquire(name: string, options: AcquireOptions): Promise<Lease>;
  /**
   * Copies the request (method, path, headers, `body`) to the lease's upstream and its answer back untouched,
   * streaming and back-pressure included; resolves when the answer ended or either side left.
   */
  forward(lease: Lease, req: IncomingMessage, res: ServerResponse, body: Buffer, path?: string): Promise<ServeOutcome>;
}

/** What the serve log and `/metrics` say of a request refused: the model and service it had got to (`-`: none yet). */
export interface Attempt {
  model: string;
  service: string;
}

/**
 * A dialect's handler: the body is already read (bounded); the route table picks the handler by method + path. A
 * refusal before a lease (bad JSON, unknown model, a start that failed) is thrown: the endpoint logs and counts it
 * and answers in the dialect's error shape. The handler fills in `attempt` as it learns the model and service.
 */
export type DialectHandler = (req: IncomingMessage, res: ServerResponse, body: Buffer, gateway: ServeGateway, attempt: Attempt) => Promise<void>;
