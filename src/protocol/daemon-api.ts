import type { LlamaTopError } from './errors.js';
import type { Push } from './messages.js';
import type { DaemonInfo, ServiceStatus, StartOutcome } from './status.js';
import type { ParamsIn, RequestType, Result } from './requests.js';
import type { LogLine } from './results.js';

/** Sends any request of the table and gets its typed answer. */
export interface DaemonCaller {
  call<K extends RequestType>(type: K, params: ParamsIn<K>): Promise<Result<K>>;
}

/** What clients (commands, TUI) can ask of the daemon; tests hand the TUI a fake. Wrappers read better than `call`. */
export interface DaemonApi extends DaemonCaller {
  status(): Promise<ServiceStatus[]>;
  daemonInfo(): Promise<DaemonInfo>;
  /** force: start even though state.json was lost and a copy of the service may run unsupervised. */
  start(names: string[], wait: boolean, force?: boolean): Promise<StartOutcome[]>;
  /** now: skip the drain (a ready LLM server otherwise waits for its requests in flight first). */
  restart(names: string[], wait: boolean, force?: boolean, now?: boolean): Promise<StartOutcome[]>;
  /** force: SIGKILL at once; now: skip the drain. */
  stop(names: string[], force: boolean, now?: boolean): Promise<StartOutcome[]>;
  stopDaemon(all: boolean): Promise<void>;
  /** Sets (or with null clears) environment applied on the service's next start. */
  setEnv(name: string, env: Record<string, string> | null): Promise<void>;
  subscribe(onPush: (push: Push) => void): Promise<() => void>;
  /** The chat app's backends with their health; health: an unreadable active value is null, not an error. */
  backendReport(only: string | undefined, health?: boolean): Promise<Result<'backend-report'>>;
  /**
   * A log pane's last `lines`, read by the daemon; `lines` is null when nothing changed since `mark`. With `probes`
   * false, llama-top's own requests (health checks, figures) are folded away, as its kind recognises them.
   */
  logTail(name: string, lines: number, mark: string | null, probes?: boolean): Promise<Result<'log-tail'>>;
  /** Applies a config the client parsed, or with null the daemon's own file (a client on another machine). */
  reload(config: ParamsIn<'reload'>['config']): Promise<Result<'reload'>>;
  /** The config the daemon runs (a client on another machine cannot read the file). */
  stackConfig(): Promise<Result<'stack-config'>>;
  /** Switches the chat app's backend (check, rewrite, restart, rollback), in the daemon. */
  backendSwitch(name: string, force: boolean): Promise<Result<'backend-switch'>>;
  /** Called once when the connection to the daemon is lost. */
  onDisconnect(listener: () => void): void;
  close(): void;
}

/** One daemon as the commands use it: the DaemonApi, plus what only a single stack answers. */
export interface ClientApi extends DaemonApi {
  /** Why the connection ended, when it was not the daemon's choice (e.g. it stopped answering). */
  readonly closeReason: LlamaTopError | null;
  /** Called when the connection ends (replaced, not added to: see onDisconnect for that). */
  onClose: () => void;
  /** The services, and what is wrong with the stack as a whole (a full disk, lost state). */
  statusReport(): Promise<Result<'status'>>;
  /** Services' logs as the daemon reads them: the last `lines`, or those written in the last `sinceMs`. */
  logs(names: string[], lines: number, sinceMs: number | null, times: boolean, probes?: boolean): Promise<Result<'logs'>['logs']>;
  /** Every new line of these services from now on, across rotations and restarts, until the connection closes. */
  followLogs(names: string[], times: boolean, onLines: (service: string, lines: LogLine[]) => void, onGap: (service: string, chunks: number) => void): Promise<void>;
  /** What each LLM server serves (all of them when `names` is empty). */
  models(names: string[]): Promise<Result<'models'>['services']>;
  /** Starts the daemon's HTTP listener (its config's `http:`, else 127.0.0.1:7878); its URL and token. */
  httpStart(): Promise<Result<'http-start'>>;
  /** The daemon's event journal after `since` (an ISO time; null: everything it keeps), oldest first. */
  journal(since: string | null, limit?: number | null): Promise<Result<'journal'>>;
  /** Sends a sample of `event` (null: each entry's first) to every matching notify entry; what each did. */
  notifyTest(event: string | null): Promise<Result<'notify-test'>['outcomes']>;
}
