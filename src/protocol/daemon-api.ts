import type { DaemonInfo, Push, ServiceStatus, StartOutcome } from './messages.js';

/** What clients (commands, TUI) can ask of the daemon; tests hand the TUI a fake. */
export interface DaemonApi {
  status(): Promise<ServiceStatus[]>;
  daemonInfo(): Promise<DaemonInfo>;
  start(names: string[], wait: boolean): Promise<StartOutcome[]>;
  restart(names: string[], wait: boolean): Promise<StartOutcome[]>;
  stop(names: string[], force: boolean): Promise<StartOutcome[]>;
  stopDaemon(all: boolean): Promise<void>;
  subscribe(onPush: (push: Push) => void): Promise<() => void>;
  close(): void;
}
