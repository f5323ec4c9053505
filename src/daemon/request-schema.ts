import type { StackConfig } from '../config/types.js';
import type { Request } from '../protocol/messages.js';

/** Checks a decoded socket message; returns the request or a one-line reason. Pure. */
export function parseRequest(value: unknown): { ok: true; request: Request } | { ok: false; id: number | null; error: string } {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return { ok: false, id: null, error: 'a request must be a JSON object' };
  const v = value as Record<string, unknown>;
  const id = typeof v.id === 'number' && Number.isInteger(v.id) ? v.id : null;
  if (id === null) return { ok: false, id: null, error: 'request.id must be an integer' };
  const names = v.names ?? [];
  const namesOk = Array.isArray(names) && names.every((n) => typeof n === 'string');
  switch (v.type) {
    case 'status':
    case 'daemon-info':
    case 'subscribe':
    case 'stack-config':
    case 'http-start':
      return { ok: true, request: { id, type: v.type } };
    case 'start':
    case 'restart':
      if (!namesOk) return { ok: false, id, error: 'request.names must be an array of service names' };
      return { ok: true, request: { id, type: v.type, names: names as string[], wait: v.wait !== false, force: v.force === true } };
    case 'stop':
      if (!namesOk) return { ok: false, id, error: 'request.names must be an array of service names' };
      return { ok: true, request: { id, type: 'stop', names: names as string[], force: v.force === true } };
    case 'set-env': {
      const env = v.env ?? null;
      const envOk = env === null || (typeof env === 'object' && !Array.isArray(env) && Object.values(env).every((x) => typeof x === 'string'));
      if (typeof v.name !== 'string' || !envOk) return { ok: false, id, error: 'set-env needs name (string) and env (object of strings, or null)' };
      return { ok: true, request: { id, type: 'set-env', name: v.name, env: env as Record<string, string> | null } };
    }
    case 'daemon-stop':
      return { ok: true, request: { id, type: 'daemon-stop', all: v.all === true } };
    case 'backend-report':
      if (v.only !== undefined && typeof v.only !== 'string') return { ok: false, id, error: 'backend-report: only must be a backend name' };
      return { ok: true, request: { id, type: 'backend-report', only: v.only as string | undefined, health: v.health === true } };
    case 'backend-switch':
      if (typeof v.name !== 'string') return { ok: false, id, error: 'backend-switch needs name (a backend of backend.choices)' };
      return { ok: true, request: { id, type: 'backend-switch', name: v.name, force: v.force === true } };
    case 'logs':
      if (!namesOk || typeof v.lines !== 'number') return { ok: false, id, error: 'logs needs names (array of service names) and lines (a number)' };
      return { ok: true, request: { id, type: 'logs', names: names as string[], lines: v.lines, sinceMs: typeof v.sinceMs === 'number' ? v.sinceMs : null, times: v.times === true } };
    case 'models':
      if (!namesOk) return { ok: false, id, error: 'request.names must be an array of service names' };
      return { ok: true, request: { id, type: 'models', names: names as string[] } };
    case 'logs-follow':
      if (!namesOk) return { ok: false, id, error: 'request.names must be an array of service names' };
      return { ok: true, request: { id, type: 'logs-follow', names: names as string[], times: v.times === true } };
    case 'log-tail':
      if (typeof v.name !== 'string' || typeof v.lines !== 'number') return { ok: false, id, error: 'log-tail needs name and lines' };
      return { ok: true, request: { id, type: 'log-tail', name: v.name, lines: v.lines, mark: typeof v.mark === 'string' ? v.mark : null } };
    case 'journal': {
      const since = v.since ?? null;
      if (since !== null && (typeof since !== 'string' || Number.isNaN(Date.parse(since))))
        return { ok: false, id, error: 'journal: since must be an ISO time (2026-01-31T03:00:00Z) or null' };
      const limit = v.limit ?? null;
      if (limit !== null && (typeof limit !== 'number' || !Number.isInteger(limit) || limit < 1)) return { ok: false, id, error: 'journal: limit must be a positive integer or null' };
      return { ok: true, request: { id, type: 'journal', since: since as string | null, limit: limit as number | null } };
    }
    case 'notify-test':
      if (v.event !== undefined && v.event !== null && typeof v.event !== 'string') return { ok: false, id, error: 'notify-test: event must be an event name or null' };
      return { ok: true, request: { id, type: 'notify-test', event: (v.event as string | undefined) ?? null } };
    case 'reload': {
      const c = v.config as Record<string, unknown> | null | undefined;
      if (c === null || c === undefined) return { ok: true, request: { id, type: 'reload', config: null } };
      if (typeof c !== 'object' || typeof c.file !== 'string' || !Array.isArray(c.services))
        return { ok: false, id, error: 'reload needs config: the validated config (file, services, …), or null to read the file in the daemon' };
      return { ok: true, request: { id, type: 'reload', config: c as unknown as StackConfig } };
    }
    default:
      return { ok: false, id, error: typeof v.type === 'string' ? `unknown request type ${JSON.stringify(v.type.slice(0, 100))}` : `request.type must be a string, not ${Array.isArray(v.type) ? 'an array' : typeof v.type}` };
  }
}
