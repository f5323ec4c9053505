import type { ServiceStatus } from '../protocol/messages.js';
import { httpGet } from '../supervisor/http-get.js';
import { judgeHttp } from '../supervisor/probes.js';

export interface BackendHealth {
  healthy: boolean | null;
  reason: string | null;
}

const HEALTH_PATH: Record<string, { path: string; expect: 'llama-server' | 'ollama' | 'any' }> = {
  'llama-server': { path: '/health', expect: 'llama-server' },
  ollama: { path: '/api/version', expect: 'ollama' },
};

/** Asks the backend's server itself, not only the daemon's last word about it. */
export async function checkServiceHealth(svc: ServiceStatus | undefined, timeoutMs = 2000): Promise<BackendHealth> {
  if (!svc) return { healthy: false, reason: 'no such service' };
  if (svc.state !== 'ready' && svc.state !== 'external')
    return { healthy: false, reason: `service ${svc.name} is ${svc.state}${svc.lastError ? `: ${svc.lastError}` : ''}` };
  const check = HEALTH_PATH[svc.kind];
  if (!check || svc.port === null) return { healthy: true, reason: null };
  try {
    const res = await httpGet(svc.host, svc.port, check.path, timeoutMs);
    const verdict = judgeHttp(check.expect, res.status, res.body, check.path);
    if (verdict.result === 'ok') return { healthy: true, reason: null };
    return { healthy: false, reason: verdict.result === 'loading' ? `${svc.name} is still loading its model` : verdict.reason ?? 'unhealthy' };
  } catch (error) {
    return { healthy: false, reason: `${svc.name}: ${(error as Error).message}` };
  }
}
