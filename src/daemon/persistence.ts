import type { Supervisor } from '../supervisor/supervisor.js';
import { StateWriter } from './state-file.js';

export interface PersistenceOptions {
  stateFile: string;
  supervisor: Supervisor;
  /** The config file the daemon runs now (a reload may not change it, but the state names it). */
  configFile: () => string;
  log: (line: string) => void;
}

export interface StatePersistence {
  /** Writes the current state; a write that fails is retried until it lands, never thrown. */
  save(): void;
  /** While the latest state has not reached the disk: what to tell the user (see StateWriter.problem). */
  unsaved(): string | null;
  dispose(): void;
}

/**
 * What a successor daemon needs to re-adopt the services (pids, start times, cgroups or markers, env overrides),
 * written on every change. A write that fails is logged and retried with backoff (see StateWriter): the daemon
 * keeps supervising, and state.json catches up without waiting for another change.
 */
export function stateWriter({ stateFile, supervisor, configFile, log }: PersistenceOptions): StatePersistence {
  const writer = new StateWriter(stateFile, log);
  return {
    save: () =>
      writer.save({
        version: 1,
        daemonPid: process.pid,
        configFile: configFile(),
        updatedAt: new Date().toISOString(),
        services: supervisor.savedState(),
        envOverrides: supervisor.envOverrides(),
      }),
    unsaved: () => writer.problem(),
    dispose: () => writer.dispose(),
  };
}
