import type { StackOps } from '../../backend/switch.js';
import type { DaemonParts, HandlerGroup } from './context.js';

/** The stack as a backend switch drives it: this daemon's supervisor, waiting for each step. */
function stackOps(daemon: DaemonParts): StackOps {
  const { supervisor } = daemon;
  return {
    status: async () => supervisor.status(),
    start: (names) => supervisor.start(names, 'start'),
    restart: (names) => supervisor.start(names, 'restart'),
    stop: (names, force) => supervisor.stop(names, force),
    setEnv: async (name, env) => {
      supervisor.setEnv(name, env);
      daemon.persist();
    },
  };
}

/** The chat app's backend: its choices and their health, and the switch (check, rewrite, restart, rollback). */
export const backendHandlers: HandlerGroup<'backend-report' | 'backend-switch'> = {
  'backend-report': async ({ only, health }, { daemon }) => {
    await daemon.supervisor.refreshStats();
    const { backendReport } = await import('../../backend/backends.js'); // loaded when asked: an idle daemon stays small
    return backendReport(daemon.config(), daemon.supervisor.status(), only, health);
  },
  'backend-switch': async ({ name, force }, { daemon }) => {
    const { switchBackend } = await import('../../backend/switch.js');
    const result = await switchBackend(stackOps(daemon), daemon.config(), name, { force });
    // A mark on the charts' time line, and an event notify entries may listen to.
    if (result.changed) daemon.journal.emit({ service: daemon.config().backend?.app ?? null, event: 'backend-switch', reason: `${result.from ?? '(unset)'} → ${result.to}` });
    return result;
  },
};
