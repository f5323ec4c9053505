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
  /** Called once when the connection to the daemon is lost. */
  onDisconnect(listener: () => void): void;
  close(): void;
}
