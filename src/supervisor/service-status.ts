import type { ServiceConfig } from '../config/types.js';
import type { InferenceCheckReport, ServiceStatus } from '../protocol/messages.js';
import type { TreeUsage } from '../process/tree-metrics.js';
import type { ServiceRuntime } from './machine.js';
import type { LlmStats } from '../models/llm-stats.js';
import { isRunning } from '../protocol/service-state.js';

const iso = (ms: number | null) => (ms === null ? null : new Date(ms).toISOString());

/** The public view of one service. Pure. */
export interface StatusExtras {
  envOverride?: Record<string, string> | null;
  llm?: LlmStats | null;
  gpuMemoryBytes?: number | null;
  inference?: InferenceCheckReport | null;
}

export function toServiceStatus(cfg: ServiceConfig, s: ServiceRuntime, usage: TreeUsage | undefined, now: number, extras: StatusExtras = {}): ServiceStatus {
  const running = s.pid !== null && isRunning(s.phase);
  return {
    name: cfg.name,
    kind: cfg.kind,
    state: s.phase,
    detail: s.detail,
    pid: s.pid,
    host: cfg.host,
    port: cfg.port ?? null,
    model: cfg.model ?? null,
    startedAt: running ? iso(s.startedAt) : null,
    uptimeSeconds: running && s.startedAt !== null ? Math.max(0, Math.floor((now - s.startedAt) / 1000)) : null,
    restarts: s.restarts,
    retries: s.retries,
    maxRetries: cfg.restart.maxRetries,
    nextRetryAt: iso(s.nextRetryAt),
    exitCode: s.exitCode,
    signal: s.signal,
    exitNote: s.exitNote,
    lastError: s.lastError,
    lastErrorAt: iso(s.lastErrorAt),
    cpuPercent: running ? (usage?.cpuPercent ?? null) : null,
    cpuSeconds: running ? (usage?.cpuSeconds ?? null) : null,
    memoryBytes: running ? (usage?.memoryBytes ?? null) : null,
    processCount: running ? (usage?.processCount ?? null) : null,
    logDir: s.logDir,
    autostart: cfg.autostart,
    dependsOn: cfg.dependsOn,
    envOverride: extras.envOverride ?? null,
    llm: running ? (extras.llm ?? null) : null,
    gpuMemoryBytes: running ? (extras.gpuMemoryBytes ?? null) : null,
    inference: s.phase === 'ready' ? (extras.inference ?? null) : null,
    drain: s.phase === 'draining' ? { inFlight: s.drainInFlight ?? 0, cutAt: iso(s.drainCutAt) ?? iso(now)! } : null,
    stopReason: s.phase === 'stopped' ? s.stopReason : null,
  };
}
