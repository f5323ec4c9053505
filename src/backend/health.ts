import type { RawService } from '../config/schema.js';
import { kindPreset } from '../kinds/index.js';
import type { ServiceStatus } from '../protocol/messages.js';
import { httpGet } from '../shared/http-get.js';
import { judgeHttp } from '../supervisor/probes.js';

export interface BackendHealth {
  healthy: boolean | null;
  reason: string | null;
}


/** Asks the backend's server itself, not only the daemon's last word about it. */
export async function checkServiceHealth(svc: ServiceStatus | undefined, timeoutMs = 2000): Promise<BackendHealth> {
  if (!svc) return { healthy: false, reason: 'no such service' };
  if (svc.state !== 'ready' && svc.state !== 'external')
    return { healthy: false, reason: `service ${svc.name} is ${svc.state}${svc.lastError ? `: ${svc.lastError}` : ''}` };
  // The kind's own readiness check, asked again now (a backend is a server: an HTTP check of its port).
  const check = kindPreset(svc.kind)?.health({} as RawService);
  if (check?.type !== 'http' || svc.port === null) return { healthy: null, reason: `${svc.name}: no HTTP health check to ask for a ${svc.kind}` };
  try {
    const res = await httpGet(svc.host, svc.port, check.path, timeoutMs);
    const verdict = judgeHttp(check, res.status, res.body);
    if (verdict.result === 'ok') return { healthy: true, reason: null };
    return { healthy: false, reason: verdict.result === 'loading' ? `${svc.name} is still loading its model` : verdict.reason ?? 'unhealthy' };
  } catch (error) {
    return { healthy: false, reason: `${svc.name}: ${(error as Error).message}` };
  }
}
