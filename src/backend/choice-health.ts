import { execa } from 'execa';
import type { BackendConfig, ServiceConfig } from '../config/types.js';
import type { ServiceStatus } from '../protocol/messages.js';
import { httpGet } from '../shared/http-get.js';
import type { BackendHealth } from './health.js';

/**
 * Checks a backend the app serves itself, with the check the config gives for it (backend.health): a command run
 * like the app (its cwd and env), healthy on exit 0, else its last line says why; or an HTTP path of the app.
 */
export async function checkChoiceHealth(check: BackendConfig['health'][string], app: ServiceConfig, appStatus: ServiceStatus | undefined, timeoutMs = 15_000): Promise<BackendHealth> {
  if ('http' in check) {
    if (app.port === undefined) return { healthy: false, reason: `backend.health: ${app.name} has no port to ask ${check.http}` };
    if (appStatus?.state !== 'ready' && appStatus?.state !== 'external') return { healthy: null, reason: `the app ${app.name} is ${appStatus?.state ?? 'unknown'}: ${check.http} not asked` };
    try {
      const res = await httpGet(app.host, app.port, check.http, timeoutMs);
      if (res.status >= 200 && res.status < 300) return { healthy: true, reason: null };
      return { healthy: false, reason: `GET ${check.http} answered ${res.status}: ${res.body.trim().split('\n')[0]!.slice(0, 200)}` };
    } catch (error) {
      return { healthy: false, reason: `GET ${check.http}: ${(error as Error).message}` };
    }
  }
  const [program, ...args] = check.argv;
  const run = await execa(program!, args, { cwd: app.cwd, env: app.env, reject: false, timeout: timeoutMs, stdin: 'ignore', all: true });
  if (run.exitCode === 0) return { healthy: true, reason: null };
  if (run.timedOut) return { healthy: false, reason: `${check.argv.join(' ')} did not finish in ${timeoutMs / 1000} s` };
  if (run.code === 'ENOENT') return { healthy: false, reason: `cannot run ${program} (not found from ${app.cwd})` };
  const last = String(run.all ?? '').trim().split('\n').filter(Boolean).at(-1);
  return { healthy: false, reason: last ?? `${program} exited with code ${run.exitCode}` };
}
