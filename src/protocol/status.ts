import type { LlmStats } from './llm-stats.js';

export type ServiceState = 'stopped' | 'starting' | 'ready' | 'unhealthy' | 'crashed' | 'draining' | 'stopping' | 'error' | 'external';

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
  /** A stop we asked for that ended in an odd exit (the signal above is then not ours): what it was, e.g. a known abort on the way out. */
  exitNote?: string | null;
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
  /** While `draining`: the requests still in flight (endpoint + server) and when drainTimeout cuts them (ISO time). */
  drain?: { inFlight: number; cutAt: string } | null;
  /** Why a stopped service was stopped when it was not an error: `idle 10m`, `swapped out for beta`. */
  stopReason?: string | null;
  /** The serve endpoint's view of this service (absent without `serve:`): idle stop time, queue, served models. */
  serve?: ServeServiceInfo | null;
}

export interface ServeServiceInfo {
  /** Model names clients may send for this service. */
  models: string[];
  group: string | null;
  /** Requests through the endpoint in flight now. */
  inFlight: number;
  /** Requests waiting for this service to start or to be swapped in. */
  waiting: number;
  /** When the idle stop will stop it (ISO time), null when it has none or it is not running. */
  idleStopAt: string | null;
  /** Whose idle time that countdown runs with: a client's ollama `keep_alive` (it wins per request, as in ollama)
   * or the service's `idleStop`. */
  idleStopBy?: 'keep_alive' | 'idleStop' | null;
}

/** The serve endpoint as `status` shows it (with `serve:`). */
export interface ServeEndpointInfo {
  /** Where it listens (without /v1), or null when it does not. */
  url: string | null;
  /** Why it does not listen. */
  error: string | null;
  /** How many model names it routes (every service's). */
  models: number;
}

export interface InferenceCheckReport {
  checkedAt: string;
  /** ok: it generated or answered a 1-token request; fail: stalled (counted toward failureThreshold); unknown: cannot tell. */
  result: 'ok' | 'fail' | 'unknown';
  reason: string | null;
}

/** How the daemon keeps track of each service's processes, so a stop leaves nothing behind. */
export interface ContainmentInfo {
  /** cgroup: a cgroup v2 per service; marker: LLAMA_TOP_SERVICE_ID in each process's environment. */
  mechanism: 'cgroup' | 'marker';
  /** Where the cgroups are, or why there are none. */
  detail: string;
  /** What a service's process could do to escape a stop under this mechanism. */
  escapes: string;
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
  /** The serve endpoint (with `serve:`): its URL while it listens, or why it does not. */
  serve?: { url: string | null; error: string | null };
  /** How services are contained (absent from daemons older than it). */
  containment?: ContainmentInfo;
  /** Set by a multi-host client: each host's daemon, or why it cannot be reached. */
  hosts?: Array<{ host: string; pid: number | null; reachable: boolean; error: string | null; link?: 'connecting' | 'up' | 'lost' | 'unreachable' }>;
}

export interface StartOutcome {
  name: string;
  ok: boolean;
  state: ServiceState;
  /** Why it is not ready: exit code, last log line, or probe error. */
  error: string | null;
  elapsedMs: number;
  /**
   * A stop or restart of a ready LLM server: how the wait for its requests in flight ended (what finished, what was
   * cut and why). Absent when there was nothing to wait for and nothing was cut.
   */
  drain?: DrainOutcome | null;
}

/** How one stop's drain ended. */
export interface DrainOutcome {
  /** Requests that finished while the stop waited for them. */
  drained: number;
  /** Requests still in flight that the stop cut; null when they could not be counted (the server never said). */
  cut: number | null;
  /** What cut them: drainTimeout ran out, `--now` skipped the drain, `--force` killed it; null when none was cut. */
  cutBy: 'drainTimeout' | 'now' | 'force' | null;
  /** How long the stop waited for them. */
  ms: number;
  /** The service's drainTimeout (ms). */
  timeoutMs: number | null;
}
