import type { BackendEntry } from '../backend/backends.js';
import type { SwitchResult } from '../backend/switch.js';
import type { StackConfig } from '../config/types.js';
import type { ReloadResult } from '../supervisor/supervisor.js';
import type { DaemonInfo, Push, ServiceStatus, StartOutcome } from './messages.js';

/** What clients (commands, TUI) can ask of the daemon; tests hand the TUI a fake. */
export interface DaemonApi {
  status(): Promise<ServiceStatus[]>;
  daemonInfo(): Promise<DaemonInfo>;
  start(names: string[], wait: boolean): Promise<StartOutcome[]>;
  restart(names: string[], wait: boolean): Promise<StartOutcome[]>;
  stop(names: string[], force: boolean): Promise<StartOutcome[]>;
  stopDaemon(all: boolean): Promise<void>;
  /** Sets (or with null clears) environment applied on the service's next start. */
  setEnv(name: string, env: Record<string, string> | null): Promise<void>;
  subscribe(onPush: (push: Push) => void): Promise<() => void>;
  /** The chat app's backends with their health; health: an unreadable active value is null, not an error. */
  backendReport(only: string | undefined, health?: boolean): Promise<{ active: string | null; app: string; backends: BackendEntry[] }>;
  /**
   * A log pane's last `lines`, read by the daemon; `lines` is null when nothing changed since `mark`. With `probes`
   * false, llama-top's own requests (health checks, figures) are folded away, as its kind recognises them.
   */
  logTail(name: string, lines: number, mark: string | null, probes?: boolean): Promise<{ mark: string; lines: string[] | null }>;
  /** Applies a config the client parsed, or with null the daemon's own file (a client on another machine). */
  reload(config: StackConfig | null): Promise<ReloadResult>;
  /** The config the daemon runs (a client on another machine cannot read the file). */
  stackConfig(): Promise<StackConfig>;
  /** Switches the chat app's backend (check, rewrite, restart, rollback), in the daemon. */
  backendSwitch(name: string, force: boolean): Promise<SwitchResult>;
  /** Called once when the connection to the daemon is lost. */
  onDisconnect(listener: () => void): void;
  close(): void;
}
