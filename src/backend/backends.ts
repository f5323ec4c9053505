import { appBackendUrl } from './app-backend-url.js';
import type { BackendConfig, StackConfig } from '../config/types.js';
import { LlamaTopError } from '../protocol/errors.js';
import type { ServiceStatus } from '../protocol/messages.js';
import { readBackendValue } from './config-file.js';
import { checkChoiceHealth, checkUrl } from './choice-health.js';
import { checkServiceHealth, type BackendHealth } from './health.js';

export type { BackendEntry } from '../protocol/results.js';
import type { BackendEntry, BackendReport } from '../protocol/results.js';

export function backendOf(config: StackConfig): BackendConfig {
  if (!config.backend)
    throw new LlamaTopError('USAGE', `${config.file} has no backend: section`, 'add backend: { app, file, key, choices } (see the README)');
  return config.backend;
}

/** The backend the app uses now: the key in its config file, or (env form) what the daemon last applied. */
export function activeBackend(backend: BackendConfig, appEnv: Record<string, string> | null): string | null {
  if (backend.file && backend.key) return readBackendValue(backend.file, backend.key);
  if (backend.env && appEnv) {
    for (const [name, vars] of Object.entries(backend.env)) if (Object.entries(vars).every(([k, v]) => appEnv[k] === v)) return name;
  }
  return null;
}

/** The active backend given what the daemon reports: the app's env is its config env plus llama-top's override. */
export function currentBackend(config: StackConfig, services: ServiceStatus[]): string | null {
  const backend = backendOf(config);
  const override = services.find((s) => s.name === backend.app)?.envOverride ?? {};
  const base = config.services.find((s) => s.name === backend.app)!.env;
  return activeBackend(backend, { ...base, ...override });
}

export function assertKnownBackend(backend: BackendConfig, name: string): void {
  if (!(name in backend.choices))
    throw new LlamaTopError('USAGE', `unknown backend "${name}" (backends: ${Object.keys(backend.choices).join(', ')})`);
}

/**
 * A backend the app serves itself (choice → null): the check the config gives (backend.health.NAME), else the URL the
 * app's own config names for it (Chat-O-Llama: ollama.base_url), else nothing to ask: `null`, never healthy because
 * the app runs.
 */
export async function appServedHealth(config: StackConfig, name: string, app: ServiceStatus | undefined, active: boolean): Promise<BackendHealth> {
  const backend = backendOf(config);
  if (backend.health[name]) return checkChoiceHealth(backend.health[name]!, config.services.find((s) => s.name === backend.app)!, app);
  const url = backend.file ? appBackendUrl(backend.file, name) : null;
  if (url) {
    const health = await checkUrl(url);
    return { healthy: health.healthy, reason: health.reason ?? `reached at ${url}` };
  }
  const appUp = app?.state === 'ready' || app?.state === 'external';
  // The app running says nothing about a backend it serves itself: that is never a ✓.
  const reason = !appUp
    ? `the app ${backend.app} is ${app?.state ?? 'unknown'}`
    : `served by the app itself: nothing to ask (set backend.health.${name} to { url: … }, { http: /path } or { command: … })`;
  return { healthy: active && !appUp ? false : null, reason };
}

/** Each backend with its health: its server's for a service, the configured check for one the app serves itself. */
export async function describeBackends(config: StackConfig, services: ServiceStatus[], active: string | null, only?: string): Promise<BackendEntry[]> {
  const backend = backendOf(config);
  const byName = new Map(services.map((s) => [s.name, s]));
  const names = Object.keys(backend.choices).filter((n) => !only || n === only);
  return Promise.all(
    names.map(async (name) => {
      const service = backend.choices[name] ?? null;
      const health = service === null ? await appServedHealth(config, name, byName.get(backend.app), name === active) : await checkServiceHealth(byName.get(service));
      return { name, service, healthy: health.healthy, reason: health.reason, active: name === active };
    }),
  );
}

/**
 * `backend status|list|health [NAME]`: the active backend and each one (or only NAME) with its health. For a health
 * check an unreadable active value is null rather than an error: the backends can be checked all the same.
 */
export async function backendReport(config: StackConfig, services: ServiceStatus[], only: string | undefined, health: boolean): Promise<BackendReport> {
  const backend = backendOf(config);
  let active: string | null = null;
  try {
    active = currentBackend(config, services);
  } catch (error) {
    if (!health) throw error;
  }
  return { active, app: backend.app, backends: await describeBackends(config, services, active, only) };
}
