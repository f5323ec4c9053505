import type { HealthCheck, ServiceConfig } from '../protocol/stack-config.js';
import type { LlmCounters, LlmStats } from '../models/llm-stats.js';
import type { ServiceStatus } from '../protocol/messages.js';

/**
 * The fields of a service's config entry (config/schema.ts's RawService, durations already in ms) that kinds read;
 * declared here so kinds/ does not import the schema that imports the kinds' registry.
 */
export interface RawService {
  command?: string | string[];
  model?: string;
  modelsDir?: string;
  port?: number;
  readyAfter?: number;
  health?: {
    http?: string;
    tcp?: boolean;
    command?: string | string[];
    interval?: number;
    quietInterval?: number;
    timeout?: number;
    failureThreshold?: number;
    inference?: false | { interval?: number; timeout?: number };
  };
}

export interface KindContext {
  name: string;
  /** Resolved absolute paths are already applied to `model` and `cwd`. */
  raw: RawService;
  host: string;
  commandWords: string[] | undefined;
  args: string[];
}

export type { ModelsReport } from '../protocol/results.js';
import type { ModelsReport } from '../protocol/results.js';

/** What a kind of LLM server adds: the daemon, `status`, `models`, the TUI and `backend` ask it, never a name. */
export interface ServerKind {
  /** Is what listens on host:port a server of this kind? Decides between adopting it (external) and refusing the port. */
  isServer(host: string, port: number): Promise<boolean>;
  /**
   * The lines of a log page that are llama-top's own requests (its health checks, its figures), which `logs
   * --no-probes` and the TUI's panes fold away so that the user sees their own traffic. Pure.
   */
  ownRequests?(lines: string[]): boolean[];
  /** Live figures (token rates, slots, loaded models); null when it does not answer. */
  sampleStats(target: ServerTarget, previous: LlmCounters | null, now: number): Promise<{ stats: LlmStats; counters: LlmCounters | null } | null>;
  /** What it is doing, for `status` (long) and the TUI's narrow column (short). Pure. */
  summary(s: ServiceStatus, now: number, short: boolean): string;
  /** `models`: what it serves, what is installed or loaded. */
  listModels(cfg: ServiceConfig, s: ServiceStatus): Promise<ModelsReport>;
  formatModels(report: ModelsReport, now: number): string[];
  /** Is `report` a failure worth exit 1 (e.g. an unreadable model file)? */
  modelsFailed?(report: ModelsReport): boolean;
  /**
   * Does it still generate? Called every inference interval while ready, with what the previous call returned.
   * 'ok' when tokens were produced or a 1-token request was answered; 'fail' when it stalled; 'unknown' when it
   * cannot tell (never counted). It must cost nothing on a busy server and never fail a slow but working one.
   */
  checkInference?(target: ServerTarget, previous: InferenceSample | null, timeoutMs: number, now: number): Promise<InferenceCheck>;
  /**
   * Its health check got no answer in time: is it too busy to answer, rather than stuck? Why (the probe is then not
   * counted as a failure), or null.
   */
  busyReason?(target: ServerTarget): Promise<string | null>;
  /**
   * The requests it is processing or holding queued now, whoever sent them: the drain before a stop waits until
   * none is left. Present on every kind whose requests are worth draining (kinds/index.ts's `drainsRequests`).
   * `target.notes` is the drain's own, kept from one call to the next of the same drain.
   */
  requestsInFlight?(target: ServerTarget): Promise<InFlightCount>;
  /**
   * The serve endpoint: the model names the running server itself says it serves, beyond those of its config
   * (ollama: its `/api/tags`). Rejects when it does not answer.
   */
  servedNames?(host: string, port: number): Promise<string[]>;
  /** The serve endpoint: the path prefix of the server's own API, passed through to it (ollama: `/api/`). */
  ownApiPrefix?: string;
  /**
   * A stop we asked for (SIGTERM) ended in an exit that is no plain one (`exit`: its code or signal; `lines`: the
   * last lines of its log): when that is a known way of this kind to end a clean stop, what it is (shown beside the
   * raw exit in status and the journal), else null. Pure.
   */
  explainStopExit?(exit: { code: number | null; signal: string | null }, lines: string[]): string | null;
}

/** What a server says of its requests in flight, for the drain. */
export interface InFlightCount {
  /** Requests it processes or holds queued now; null when it does not say (then only the endpoint's count is known). */
  count: number | null;
  /** Why it cannot say, or how the count is made when that is not plain (`status` and the daemon log show it). */
  reason?: string;
  /** With a null count: it may say on the next call (no answer yet, or a first sample taken); the drain waits meanwhile. */
  retry?: boolean;
}

/** A running server of the kind, for sampling and checks. */
export interface ServerTarget {
  host: string;
  port: number;
  /** The live processes of its tree, read when asked (a kind whose workers are child processes watches them). */
  pids(): number[];
  /** The pid of the process llama-top started (or adopted), when known. */
  pid?: number | null;
  /**
   * The kind's notes on this run of the server, kept by the stats sampler from one sample to the next and dropped
   * when the server stops or restarts: what it answered once and will answer alike until then (llama-server: /slots
   * is off, its total slots), so a sample asks only what can have changed.
   */
  notes?: Record<string, unknown>;
  /** The model file it was started with; null without one (llama-server's router mode); undefined: not known. */
  model?: string | null;
}

/** What an inference check remembers between two calls: its progress counter and when it last moved. */
export interface InferenceSample {
  /** Token counters summed (or what stands for them: an ollama runner's writes). */
  progress: number;
  /** When the counter was last seen moving (or the server last seen idle). */
  progressAt: number;
  /** Per worker process (ollama: one runner per loaded model), by pid. */
  perProcess?: Record<number, number>;
}

export interface InferenceCheck {
  result: 'ok' | 'fail' | 'unknown';
  reason?: string;
  sample: InferenceSample | null;
}

/** What `init` found in a directory, for a kind to write its service from. */
export interface InitFound {
  dir: string;
  /** The kind's program on PATH, or null. */
  binary: string | null;
  /** GGUF files in ./models. */
  models: string[];
  /** A chat app's own config names its servers: e.g. the ollama port in ollama.base_url. */
  chat: { ollamaPort: number | null } | null;
}

/** How `init` detects and writes a service of this kind. */
export interface KindInit {
  /** The program looked for on PATH. */
  binary: string;
  /** The service name given to it. */
  service: string;
  /** Its lines under `services:`: a service when found (`written`), else a commented example; and a word for the user. */
  render(found: InitFound): { yaml: string[]; written: boolean; note: string | null };
}

export interface KindPreset {
  defaultPort?: number;
  /** Problems with the service's settings, as `key: problem` pairs. */
  validate(raw: RawService): Array<{ key: string; message: string }>;
  argv(ctx: KindContext & { port?: number }): string[];
  env(ctx: KindContext & { port?: number }): Record<string, string>;
  health(raw: RawService): HealthCheck;
  /**
   * How often its HTTP health check runs while it is healthy and no client watches, unless the config sets an
   * interval: each check is a line in its own log (a web app logs every request). Absent: the interval.
   */
  quietProbeMs?: number;
  /** `model:` may be a name rather than a path (vllm: a Hugging Face repo); one starting with ./ ../ ~/ or / is a path. */
  modelMayBeName?: boolean;
  /** Present for LLM servers. */
  server?: ServerKind;
  /** Present for kinds `init` looks for. */
  init?: KindInit;
}
