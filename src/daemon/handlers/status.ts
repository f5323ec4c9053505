import { stackProblems } from '../problems.js';
import type { HandlerGroup } from './context.js';

/** The configured endpoint that does not listen (closed, or still on the address before a reload). Pure. */
export function serveProblems(serve: { url: string | null; error: string | null }): string[] {
  if (serve.url && !serve.error) return [];
  const why = serve.error ?? 'see the daemon log';
  return [serve.url ? `the serve endpoint is still on ${serve.url}, not where serve.listen says: ${why}` : `the serve endpoint does not listen: ${why}`];
}

/** What runs: the services with fresh figures, the daemon itself, what each LLM server serves. */
export const statusHandlers: HandlerGroup<'status' | 'daemon-info' | 'models'> = {
  status: async (_, { daemon }) => {
    await Promise.all([daemon.supervisor.refreshStats(), daemon.supervisor.refreshTrees()]);
    const services = daemon.supervisor.status();
    const unsaved = daemon.stateUnsaved();
    const problems = [...stackProblems(daemon.paths, daemon.config(), services, daemon.stateLost()), ...(unsaved ? [unsaved] : [])];
    const serve = daemon.info().serve;
    if (serve) problems.push(...serveProblems(serve));
    const models = services.reduce((sum, s) => sum + (s.serve?.models.length ?? 0), 0);
    return { services, problems, containment: daemon.supervisor.containment.info(), ...(serve ? { serve: { ...serve, models } } : {}) };
  },
  'daemon-info': async (_, { daemon }) => {
    const config = daemon.config();
    if (!config.backend) return daemon.info();
    const { currentBackend } = await import('../../backend/backends.js'); // loaded when asked: an idle daemon stays small
    let backend: string | null = null;
    try {
      backend = currentBackend(config, daemon.supervisor.status());
    } catch {
      // the app's config is being rewritten or is broken: the header shows no backend
    }
    return { ...daemon.info(), backend };
  },
  models: async ({ names }, { daemon }) => {
    const { serverKind } = await import('../../kinds/index.js'); // loaded when asked: an idle daemon stays small
    const { supervisor } = daemon;
    const wanted = new Set(names.length ? supervisor.resolveNames(names) : []);
    const servers = supervisor.status().filter((s) => (wanted.size === 0 || wanted.has(s.name)) && serverKind(s.kind));
    const configs = daemon.config().services;
    return { services: await Promise.all(servers.map((s) => serverKind(s.kind)!.listModels(configs.find((c) => c.name === s.name)!, s))) };
  },
};
