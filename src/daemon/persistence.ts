import type { Supervisor } from '../supervisor/supervisor.js';
import { writeStateFile } from './state-file.js';

export interface PersistenceOptions {
  stateFile: string;
  supervisor: Supervisor;
  /** The config file the daemon runs now (a reload may not change it, but the state names it). */
  configFile: () => string;
  log: (line: string) => void;
}

/**
 * What a successor daemon needs to re-adopt the services (pids, start times, env overrides), written on every
 * change. A write that fails is logged, never thrown: the daemon keeps supervising.
 */
export function stateWriter({ stateFile, supervisor, configFile, log }: PersistenceOptions): () => void {
  return () => {
    try {
      writeStateFile(stateFile, {
        version: 1,
        daemonPid: process.pid,
        configFile: configFile(),
        updatedAt: new Date().toISOString(),
        services: supervisor.savedState(),
        envOverrides: supervisor.envOverrides(),
      });
    } catch (error) {
      log(`cannot write ${stateFile}: ${(error as Error).message}`);
    }
  };
}
