import type { DaemonApi } from '../protocol/daemon-api.js';
import type { BackendControl } from './app.js';

/** The backend picker's view of the stack: requests to the daemon, over the TUI's own connection. */
export function createBackendControl(): BackendControl {
  return {
    // Both run in the daemon: the picker works wherever the daemon is.
    choices: async (api: DaemonApi) => {
      const report = await api.backendReport(undefined, false);
      return report.backends.map((b) => ({ name: b.name, service: b.service, healthy: b.healthy, active: b.active, reason: b.reason ?? null }));
    },
    switchTo: async (api: DaemonApi, name: string) => {
      const result = await api.backendSwitch(name, false);
      if (!result.changed) return `the chat app already uses ${name}`;
      return `backend switched to ${name} in ${(result.elapsedMs / 1000).toFixed(1)} s${result.stopped ? ` (stopped ${result.stopped})` : ''}${result.unchecked ? `; ? ${name} not checked: ${result.unchecked}` : ''}`;
    },
  };
}
