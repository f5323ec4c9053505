import type { StackEventName } from './journal.js';

/**
 * The validated config as it crosses the wire (`reload`, `stack-config`). config/types.ts narrows `kind` to the
 * kinds this build knows; everything else about the shape is here.
 */

export interface RestartPolicy {
  maxRetries: number;
  backoffMs: number;
  maxBackoffMs: number;
  resetAfterMs: number;
  /** Restart a ready service whose liveness probe fails `failureThreshold` times in a row. */
  onUnhealthy: boolean;
}

export type HealthCheck =
  /** loadingStatus: what the server answers while it loads its model (llama-server: 503), shown as loading. */
  | { type: 'http'; path: string; loadingStatus?: number }
  | { type: 'tcp' }
  | { type: 'command'; argv: string[] }
  | { type: 'alive'; afterMs: number };

export interface ServiceConfig {
  name: string;
  /** A kind of src/kinds/ (config/types.ts narrows it to the registry's names). */
  kind: string;
  /** Full argv, binary first, already expanded from the kind's preset. */
  argv: string[];
  cwd: string;
  env: Record<string, string>;
  host: string;
  port?: number;
  model?: string;
  startTimeoutMs: number;
  stopTimeoutMs: number;
  /** How long a stop of an LLM server waits for its requests in flight (drainTimeout) before it cuts them. */
  drainTimeoutMs: number;
  restart: RestartPolicy;
  autostart: boolean;
  health: HealthCheck;
  probeIntervalMs: number;
  /** While it is ready, its last check passed and no client watches: a check at most this often (absent: probeIntervalMs). */
  quietProbeIntervalMs?: number;
  probeTimeoutMs: number;
  failureThreshold: number;
  /** Inference liveness of an LLM server (null: off, or a kind without it). */
  inference: { intervalMs: number; timeoutMs: number } | null;
  dependsOn: string[];
  /** Serve endpoint: the names clients send in `model` for it (absent: its name and its model file's basename). */
  models?: string[];
  /** Serve endpoint: at most one service of a group runs at a time (null: none). */
  group?: string | null;
  /** Serve endpoint: stop it after this long with no request (null: never). */
  idleStopMs?: number | null;
}

/** The serve endpoint (`serve:`): an OpenAI-compatible listener routing by `model`. */
export interface ServeConfig {
  host: string;
  port: number;
  /** Listen on a non-loopback address too (refused otherwise). */
  allowRemote: boolean;
  /** Accepted `Authorization: Bearer` keys; empty: none asked. */
  apiKeys: string[];
}

export interface LogsConfig {
  dir: string;
  maxFiles: number;
  maxBytes: number;
}

export interface BackendConfig {
  app: string;
  file?: string;
  key?: string;
  env?: Record<string, Record<string, string>>;
  choices: Record<string, string | null>;
  /** Checks for choices the app serves itself: a command (argv, run in the app's cwd) or an HTTP path of the app. */
  health: Record<string, { argv: string[] } | { http: string } | { url: string }>;
  stopOther: boolean;
}

/** The opt-in HTTP listener (API, SSE, /metrics, status page). */
export interface HttpConfig {
  host: string;
  port: number;
  /** Listen on a non-loopback address too (refused otherwise). */
  allowRemote: boolean;
  /** Origins allowed to call the API from a browser (CORS); none by default. */
  origins: string[];
}

export type WebhookFormat = 'json' | 'text' | 'slack' | 'discord';

/** One `notify:` entry, resolved. */
export interface NotifyEntry {
  on: StackEventName[];
  /** Only these services' events (null: every service's, and the stack's own). */
  services: string[] | null;
  target: { type: 'command'; argv: string[] } | { type: 'webhook'; url: string; format: WebhookFormat; headers: Record<string, string> };
  /** The same (entry, service, event) is sent at most once per this. */
  quietMs: number;
  /** A hook is killed past this; a webhook attempt is abandoned past it. */
  timeoutMs: number;
  /** Webhook attempts after the first, with backoff, before it is dropped. */
  retries: number;
}

export interface StackConfig {
  /** Real path of the config file: the daemon's identity. */
  file: string;
  dir: string;
  name: string;
  logs: LogsConfig;
  metricsIntervalMs: number;
  services: ServiceConfig[];
  backend?: BackendConfig;
  http?: HttpConfig;
  /** The serve endpoint, when configured. */
  serve?: ServeConfig;
  /** Notifications (commands, webhooks) on stack events; absent or empty: none. */
  notify?: NotifyEntry[];
}
