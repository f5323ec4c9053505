import type { ServiceStatus } from '../protocol/messages.js';

/** States whose last error is why the service is not serving. */
const FAILED = new Set(['error', 'crashed', 'unhealthy']);

/**
 * A log pane's title: the service, whether its log exists yet, and for a service that failed why ("error: port
 * 8134 is in use by pid 4242 (python3)"), so the reason is on screen without a key. Pure.
 */
export function paneTitle(s: ServiceStatus, probesShown: boolean): string {
  const parts = [s.name];
  if (!s.logDir) parts.push('(no log yet)');
  if (FAILED.has(s.state) && s.lastError) parts.push(`· ${s.state}: ${s.lastError}`);
  else if (probesShown) parts.push("(with llama-top's own requests: p folds them)");
  return parts.join(' ');
}
