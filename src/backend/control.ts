import type { StackConfig } from '../config/types.js';
import type { DaemonApi } from '../protocol/daemon-api.js';
import type { BackendControl } from '../tui/app.js';
import { activeBackend, backendOf } from './backends.js';

/** The backend picker's view of the stack, over a daemon connection of its own. */
export function createBackendControl(config: StackConfig, connect: () => Promise<DaemonApi>): BackendControl {
  const backend = backendOf(config);
  let cached: { at: number; value: string | null } = { at: 0, value: null };
  const withApi = async <T>(run: (api: DaemonApi) => Promise<T>): Promise<T> => {
    const api = await connect();
    try {
      return await run(api);
    } finally {
      api.close();
    }
  };
  return {
    active() {
      if (Date.now() - cached.at > 1000) {
        try {
          cached = { at: Date.now(), value: backend.file && backend.key ? activeBackend(backend, null) : cached.value };
        } catch {
          cached = { at: Date.now(), value: null };
        }
      }
      return cached.value;
    },
    // Both run in the daemon: the picker works wherever the daemon is.
    choices: () =>
      withApi(async (api) => {
        const report = await api.backendReport(undefined, false);
        cached = { at: Date.now(), value: report.active };
        return report.backends.map((b) => ({ name: b.name, service: b.service, healthy: b.healthy, active: b.active, reason: b.reason ?? null }));
      }),
    switchTo: (name) =>
      withApi(async (api) => {
        const result = await api.backendSwitch(name, false);
        cached = { at: Date.now(), value: result.to };
        if (!result.changed) return `the chat app already uses ${name}`;
        return `backend switched to ${name} in ${(result.elapsedMs / 1000).toFixed(1)} s${result.stopped ? ` (stopped ${result.stopped})` : ''}`;
      }),
  };
}
