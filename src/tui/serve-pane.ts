import type { ServiceStatus } from '../protocol/messages.js';

/**
 * The serve endpoint's log as a pane: the daemon answers `log-tail` for the name `serve` with it (a line per
 * request). A pane is drawn from a service's status; this one has only what a title needs. Pure.
 */
export function serveLogPane(): ServiceStatus {
  return {
    name: 'serve', kind: 'serve', state: 'ready', detail: null, pid: null, host: '', port: null, model: null, startedAt: null,
    uptimeSeconds: null, restarts: 0, retries: 0, maxRetries: 0, nextRetryAt: null, exitCode: null, signal: null, lastError: null,
    lastErrorAt: null, cpuPercent: null, memoryBytes: null, processCount: null, logDir: 'serve', autostart: false, dependsOn: [],
    envOverride: null, llm: null, gpuMemoryBytes: null,
  };
}
