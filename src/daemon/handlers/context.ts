import type { HttpConfig, ServeConfig, StackConfig } from '../../config/types.js';
import type { DaemonInfo, Push } from '../../protocol/messages.js';
import type { Handler, Handlers, RequestType } from '../../protocol/requests.js';
import type { HttpListenerInfo, ServeReloadOutcome } from '../../protocol/results.js';
import type { Supervisor } from '../../supervisor/supervisor.js';
import type { EventJournal } from '../event-journal.js';
import type { HistoryRecorder } from '../history.js';
import type { Notifications } from '../notifications.js';
import type { DaemonPaths } from '../paths.js';
import type { Subscriber } from '../server.js';
import type { ServeActivityReport } from '../../protocol/serve-activity.js';

/** The parts of the daemon its handlers work with (Daemon composes them). */
export interface DaemonParts {
  readonly supervisor: Supervisor;
  readonly paths: DaemonPaths;
  /** Foreground (`--headless` alone): the daemon lives as long as its supervisor, not until it is idle. */
  readonly foreground: boolean;
  /** The config the daemon runs now. */
  config(): StackConfig;
  /** Runs `config` from now on (a reload has applied it to the supervisor). */
  replaceConfig(config: StackConfig): void;
  log(line: string): void;
  /** Writes state.json (what a successor re-adopts). */
  persist(): void;
  /** Pushes to every subscriber. */
  broadcast(push: Push): void;
  info(): DaemonInfo;
  /** Set when state.json and its previous copy were damaged: services may run unsupervised. */
  stateLost(): string | null;
  /** Set when state.json may not list every start of the last daemon (a write of it did not land). */
  stateStale(): boolean;
  /** While state.json lags behind (writes failing): what status should say. */
  stateUnsaved(): string | null;
  startHttp(config: HttpConfig): Promise<HttpListenerInfo>;
  /** Listens, moves or closes the serve endpoint as `serve:` says (logged, never thrown). */
  ensureServe(config: ServeConfig | undefined): Promise<ServeReloadOutcome | null>;
  /** The serve log's directory while the config has `serve:` (`logs serve`), else null. */
  serveLogDir(): string | null;
  /** What the serve endpoint has done lately (null: no `serve:`). */
  serveActivity(): ServeActivityReport | null;
  shutdown(stopServices: boolean, reason: string): Promise<void>;
  /** The stack's recent events (every daemon-side module emits its own there). */
  readonly journal: EventJournal;
  /** Each service's figures over time (the page's charts). */
  readonly history: HistoryRecorder;
  /** The config's `notify:` entries at work. */
  readonly notifications: Notifications;
}

/** What every handler gets: the daemon's parts and the connection (or HTTP stream) that asked. */
export interface HandlerContext {
  daemon: DaemonParts;
  connection: Subscriber;
}

export type DaemonHandler<K extends RequestType> = Handler<K, HandlerContext>;
export type DaemonHandlers = Handlers<HandlerContext>;
/** A handler module's part of the table. */
export type HandlerGroup<K extends RequestType> = Pick<DaemonHandlers, K>;
