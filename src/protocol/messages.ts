import type { LogLine } from '../logs/chunks.js';
import type { StackConfig } from '../config/types.js';
import type { ErrorCode } from './errors.js';
import type { LlmStats } from '../models/llm-stats.js';

export type ServiceState = 'stopped' | 'starting' | 'ready' | 'unhealthy' | 'crashed' | 'stopping' | 'error' | 'external';

/** One service as every client sees it (`status --json` prints these). */
export interface ServiceStatus {
  /** Set by a multi-host client (never by a daemon): the ssh host this row came from; `name` is then `box/name`. */
  box?: string;
  name: string;
  kind: string;
  state: ServiceState;
  /** "loading model", "restarting", "adopted" … */
  detail: string | null;
  pid: number | null;
  host: string;
  port: number | null;
  model: string | null;
  startedAt: string | null;
  uptimeSeconds: number | null;
  restarts: number;
  retries: number;
  maxRetries: number;
  nextRetryAt: string | null;
  exitCode: number | null;
  signal: string | null;
  lastError: string | null;
  lastErrorAt: string | null;
  cpuPercent: number | null;
  /** CPU time of the live process tree, in seconds. */
  cpuSeconds?: number | null;
  memoryBytes: number | null;
  processCount: number | null;
  logDir: string | null;
  autostart: boolean;
  dependsOn: string[];
  /** Environment set by llama-top on top of the config's (backend switching by env vars). */
  envOverride: Record<string, string> | null;
  /** llama-server / ollama figures (token rates, slots, loaded models); null for other kinds or when not sampled. */
  llm: LlmStats | null;
  /** GPU memory of the process tree, where nvidia-smi exists. */
  gpuMemoryBytes: number | null;
  /** The last inference liveness check since it became ready (null: none yet, or the check is off for it). */
  inference?: InferenceCheckReport | null;
}

export interface InferenceCheckReport {
  checkedAt: string;
  /** ok: it generated or answered a 1-token request; fail: stalled (counted toward failureThreshold); unknown: cannot tell. */
  result: 'ok' | 'fail' | 'unknown';
  reason: string | null;
}

export interface DaemonInfo {
  running: boolean;
  pid: number | null;
  socket: string;
  stateDir: string;
  configFile: string;
  name: string;
  uptimeSeconds: number | null;
  version: string;
  /** With no daemon: services the last one left running, which nothing supervises now. */
  unsupervised?: string[];
  /** The chat app's active backend, when the config has a `backend:` section (null: unreadable). */
  backend?: string | null;
  /** The HTTP listener, when one runs: its URL and the file holding its token. */
  http?: { url: string; tokenFile: string };
  /** Set by a multi-host client: each host's daemon, or why it cannot be reached. */
  hosts?: Array<{ host: string; pid: number | null; reachable: boolean; error: string | null }>;
}

export interface StartOutcome {
  name: string;
  ok: boolean;
  state: ServiceState;
  /** Why it is not ready: exit code, last log line, or probe error. */
  error: string | null;
  elapsedMs: number;
}

export type Request =
  | { id: number; type: 'status' }
  | { id: number; type: 'daemon-info' }
  | { id: number; type: 'start'; names: string[]; wait: boolean; force?: boolean }
  | { id: number; type: 'restart'; names: string[]; wait: boolean; force?: boolean }
  | { id: number; type: 'stop'; names: string[]; force: boolean }
  | { id: number; type: 'subscribe' }
  | { id: number; type: 'daemon-stop'; all: boolean }
  /** The chat app's backends and their health (only: one of them); a switch runs in the daemon, rollback included. */
  | { id: number; type: 'backend-report'; only?: string; health: boolean }
  | { id: number; type: 'backend-switch'; name: string; force: boolean }
  /** Services' logs, read by the daemon: the last `lines` of each (or those written since `sinceMs` ago). */
  | { id: number; type: 'logs'; names: string[]; lines: number; sinceMs: number | null; times: boolean }
  /** From now on, every new line of these services, as `log` pushes, until the connection ends. */
  | { id: number; type: 'logs-follow'; names: string[]; times: boolean }
  /** A TUI pane: its last screenful, sent only when it changed since `mark`. */
  | { id: number; type: 'log-tail'; name: string; lines: number; mark: string | null }
  /**
   * Applies a config: one the client parsed and validated, or (config null: a client on another machine) the
   * daemon's own file, read afresh there.
   */
  | { id: number; type: 'reload'; config: StackConfig | null }
  /** The config the daemon runs (a client on another machine cannot read the file). */
  | { id: number; type: 'stack-config' }
  /** Starts the HTTP listener for this daemon's life (the config's `http:`, else 127.0.0.1:7878). */
  | { id: number; type: 'http-start' }
  /** What each LLM server serves (its /v1/models, the GGUF header, ollama's tags), asked by the daemon. */
  | { id: number; type: 'models'; names: string[] }
  | { id: number; type: 'set-env'; name: string; env: Record<string, string> | null }
  /** The event journal's entries after `since` (ISO time; null: all it keeps), at most `limit`, oldest first. */
  | { id: number; type: 'journal'; since: string | null; limit: number | null }
  /** Sends a sample of `event` (null: each entry's first) to every matching `notify:` entry; what each did. */
  | { id: number; type: 'notify-test'; event: string | null };

/** A request as a client writes it, before its id is given. */
export type RequestBody = Request extends infer R ? (R extends Request ? Omit<R, 'id'> : never) : never;

export interface StateChangeEvent {
  type: 'state';
  time: string;
  service: string;
  from: ServiceState;
  to: ServiceState;
  status: ServiceStatus;
}

export type Response =
  | { id: number; ok: true; result: unknown }
  | { id: number | null; ok: false; code: ErrorCode; message: string };

/** Pushed to subscribers: first a snapshot, then every change. */
export type Push =
  | { push: 'snapshot'; services: ServiceStatus[] }
  | { push: 'event'; event: StateChangeEvent }
  | { push: 'bye'; reason: string }
  | { push: 'log'; service: string; lines: LogLine[] }
  | { push: 'log-gap'; service: string; chunks: number }
  /** Sent first on every connection: a client of another protocol says so instead of misreading answers. */
  | { push: 'hello'; protocol: number; version: string; pid: number };

/** Bumped whenever a request, an answer or a push changes shape. */
export const PROTOCOL_VERSION = 4;

export const MAX_MESSAGE_BYTES = 1024 * 1024;
