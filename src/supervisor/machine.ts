import type { RestartPolicy } from '../config/types.js';
import { backoffDelay } from './restart-policy.js';

export type Phase = 'stopped' | 'starting' | 'ready' | 'unhealthy' | 'crashed' | 'stopping' | 'error' | 'external';
export type TimerName = 'backoff' | 'start-timeout' | 'stable';

export interface ServiceRuntime {
  phase: Phase;
  /** A finer word for the phase: "loading model", "adopted", "restarting". */
  detail: string | null;
  pid: number | null;
  startTicks: number | null;
  logDir: string | null;
  startedAt: number | null;
  readyAt: number | null;
  retries: number;
  restarts: number;
  exitCode: number | null;
  signal: string | null;
  lastError: string | null;
  lastErrorAt: number | null;
  lastProbeError: string | null;
  probeFailures: number;
  /** Inference checks failed in a row (kept apart: /health may answer 200 while generation is wedged). */
  inferenceFailures: number;
  nextRetryAt: number | null;
  /** What to do once the current stop completes. */
  then: 'start' | 'recover' | null;
}

export type MachineEvent =
  | { type: 'start' }
  | { type: 'restart' }
  | { type: 'stop'; force: boolean }
  | { type: 'spawned'; pid: number; startTicks: number; logDir: string; at: number }
  | { type: 'adopted'; pid: number; startTicks: number; logDir: string | null; startedAt: number; restarts: number; at: number }
  | { type: 'external'; pid: number | null; at: number }
  | { type: 'spawn-failed'; message: string; at: number }
  | { type: 'probe'; result: 'ok' | 'loading' | 'fail'; reason?: string; at: number }
  | { type: 'inference'; result: 'ok' | 'fail'; reason?: string; at: number }
  | { type: 'exited'; code: number | null; signal: string | null; logLine: string | null; at: number }
  | { type: 'stopped'; at: number }
  | { type: 'timer'; name: TimerName; at: number }
  /** An effect threw: the service goes to `error` (keeping its pid while that process lives, so stop still works). */
  | { type: 'failed'; message: string; alive: boolean; at: number }
  /** Something the user should know that changes nothing else (e.g. its log writer died and was replaced). */
  | { type: 'problem'; message: string; at: number };

export type Effect =
  | { type: 'spawn' }
  | { type: 'stop'; force: boolean }
  | { type: 'set-timer'; name: TimerName; ms: number }
  | { type: 'clear-timer'; name: TimerName };

export interface MachineConfig {
  restart: RestartPolicy;
  startTimeoutMs: number;
  failureThreshold: number;
}

export interface Transition {
  state: ServiceRuntime;
  effects: Effect[];
}

export function initialRuntime(): ServiceRuntime {
  return {
    phase: 'stopped', detail: null, pid: null, startTicks: null, logDir: null, startedAt: null, readyAt: null,
    retries: 0, restarts: 0, exitCode: null, signal: null, lastError: null, lastErrorAt: null,
    lastProbeError: null, probeFailures: 0, inferenceFailures: 0, nextRetryAt: null, then: null,
  };
}

const RUNNING: Phase[] = ['starting', 'ready', 'unhealthy'];

export function describeExit(code: number | null, signal: string | null): string {
  if (signal) return `killed by ${signal}`;
  if (code === null) return 'exited';
  return `exited with code ${code}`;
}

/** The whole service lifecycle: every state write happens here. Pure. */
export function transition(s: ServiceRuntime, e: MachineEvent, cfg: MachineConfig): Transition {
  const same: Transition = { state: s, effects: [] };
  const spawn = (patch: Partial<ServiceRuntime>): Transition => ({
    state: { ...s, phase: 'starting', detail: null, pid: null, startTicks: null, nextRetryAt: null, then: null, probeFailures: 0, inferenceFailures: 0, lastProbeError: null, ...patch },
    effects: [{ type: 'clear-timer', name: 'backoff' }, { type: 'clear-timer', name: 'stable' }, { type: 'spawn' }],
  });
  const failed = (message: string, at: number): Transition => {
    const retries = s.retries + 1;
    const base = { ...s, pid: null, startTicks: null, readyAt: null, then: null, probeFailures: 0, lastErrorAt: at };
    const clear: Effect[] = [{ type: 'clear-timer', name: 'start-timeout' }, { type: 'clear-timer', name: 'stable' }];
    if (retries > cfg.restart.maxRetries) {
      const gaveUp = cfg.restart.maxRetries === 0 ? message : `${message} (gave up after ${cfg.restart.maxRetries} retries)`;
      return { state: { ...base, phase: 'error', detail: null, retries, nextRetryAt: null, lastError: gaveUp }, effects: clear };
    }
    const ms = backoffDelay(retries, cfg.restart);
    return {
      state: { ...base, phase: 'crashed', detail: null, retries, nextRetryAt: at + ms, lastError: message },
      effects: [...clear, { type: 'set-timer', name: 'backoff', ms }],
    };
  };

  switch (e.type) {
    case 'start':
      // An internal error left its process running: stop that one before starting another.
      if (s.phase === 'error' && s.pid !== null) return { state: { ...s, phase: 'stopping', detail: 'restarting', then: 'start', retries: 0 }, effects: [{ type: 'stop', force: false }] };
      if (s.phase === 'stopped' || s.phase === 'error' || s.phase === 'crashed') return spawn({ retries: 0 });
      if (s.phase === 'stopping') return { state: { ...s, then: 'start', retries: 0 }, effects: [] };
      return same;
    case 'restart':
      if (RUNNING.includes(s.phase) && s.pid !== null)
        return { state: { ...s, phase: 'stopping', detail: 'restarting', then: 'start', retries: 0 }, effects: [{ type: 'stop', force: false }] };
      return transition(s, { type: 'start' }, cfg);
    case 'stop':
      if (RUNNING.includes(s.phase) || s.phase === 'stopping') {
        const effects: Effect[] = [{ type: 'clear-timer', name: 'start-timeout' }, { type: 'clear-timer', name: 'stable' }];
        if (s.pid !== null && (s.phase !== 'stopping' || e.force)) effects.push({ type: 'stop', force: e.force });
        return { state: { ...s, phase: 'stopping', detail: null, then: null }, effects };
      }
      if (s.phase === 'error' && s.pid !== null) return { state: { ...s, phase: 'stopping', detail: null, then: null }, effects: [{ type: 'stop', force: e.force }] };
      if (s.phase === 'crashed' || s.phase === 'error')
        return { state: { ...s, phase: 'stopped', detail: null, nextRetryAt: null }, effects: [{ type: 'clear-timer', name: 'backoff' }] };
      return same;
    case 'spawned':
    case 'adopted': {
      const startedAt = e.type === 'adopted' ? e.startedAt : e.at;
      const patch = { pid: e.pid, startTicks: e.startTicks, logDir: e.logDir, startedAt, readyAt: null, exitCode: null, signal: null };
      if (s.phase === 'stopping' && e.type === 'spawned')
        return { state: { ...s, ...patch }, effects: [{ type: 'stop', force: false }] };
      // The ↻ count is of recoveries from a crash (counted when the backoff ends), not of starts or manual restarts.
      const restarts = e.type === 'adopted' ? e.restarts : s.restarts;
      return {
        state: { ...s, ...patch, phase: 'starting', detail: e.type === 'adopted' ? 'adopted' : null, restarts },
        effects: [{ type: 'set-timer', name: 'start-timeout', ms: cfg.startTimeoutMs }],
      };
    }
    case 'external':
      return { state: { ...s, phase: 'external', detail: 'not started by llama-top', pid: e.pid, startTicks: null, startedAt: e.at, readyAt: e.at, then: null }, effects: [] };
    case 'spawn-failed':
      if (s.phase === 'stopping') return { state: { ...s, phase: 'stopped', detail: null, then: null }, effects: [] };
      return { state: { ...s, phase: 'error', detail: null, pid: null, lastError: e.message, lastErrorAt: e.at, nextRetryAt: null }, effects: [] };
    case 'probe':
      return onProbe(s, e, cfg);
    case 'inference':
      return onInference(s, e, cfg);
    case 'exited': {
      const recorded = { ...s, exitCode: e.code, signal: e.signal };
      if (s.phase === 'stopping') return { state: recorded, effects: [] }; // the stop decides, not the exit status
      if (s.phase === 'external') return { state: { ...recorded, phase: 'stopped', detail: null, pid: null, lastError: 'the external server went away', lastErrorAt: e.at }, effects: [] };
      if (s.phase === 'error') return { state: { ...recorded, pid: null, startTicks: null }, effects: [] };
      if (!RUNNING.includes(s.phase)) return same;
      const why = describeExit(e.code, e.signal);
      const crash = failed(e.logLine ? `${why}: ${e.logLine}` : why, e.at);
      return { ...crash, state: { ...crash.state, exitCode: e.code, signal: e.signal } };
    }
    case 'stopped': {
      if (s.phase !== 'stopping' && s.phase !== 'unhealthy') return same;
      const down = { ...s, pid: null, startTicks: null, readyAt: null, detail: null };
      if (s.then === 'start') return transition({ ...down, phase: 'stopped', then: null }, { type: 'start' }, cfg);
      if (s.then === 'recover') return failed(s.lastError ?? 'restarted', e.at);
      return { state: { ...down, phase: 'stopped', then: null }, effects: [] };
    }
    case 'timer':
      return onTimer(s, e, cfg);
    case 'failed': {
      const kept = e.alive ? {} : { pid: null, startTicks: null, readyAt: null };
      return {
        state: { ...s, ...kept, phase: 'error', detail: null, then: null, nextRetryAt: null, lastError: e.message, lastErrorAt: e.at },
        effects: (['start-timeout', 'stable', 'backoff'] as const).map((name) => ({ type: 'clear-timer', name })),
      };
    }
    case 'problem':
      return { state: { ...s, lastError: e.message, lastErrorAt: e.at }, effects: [] };
  }
}

function onProbe(s: ServiceRuntime, e: Extract<MachineEvent, { type: 'probe' }>, cfg: MachineConfig): Transition {
  if (s.phase === 'starting') {
    if (e.result === 'ok')
      return {
        // A start or restart asked for (no retry count) that succeeds settles the old error; a recovery from a crash
        // keeps it: it is why the service was restarted.
        state: { ...s, phase: 'ready', detail: null, readyAt: e.at, probeFailures: 0, lastProbeError: null, ...(s.retries === 0 ? { lastError: null, lastErrorAt: null } : {}) },
        effects: [{ type: 'clear-timer', name: 'start-timeout' }, { type: 'set-timer', name: 'stable', ms: cfg.restart.resetAfterMs }],
      };
    if (e.result === 'loading') return { state: { ...s, detail: 'loading model', lastProbeError: null }, effects: [] };
    return { state: { ...s, lastProbeError: e.reason ?? 'probe failed' }, effects: [] };
  }
  if (s.phase === 'ready' || s.phase === 'unhealthy' || s.phase === 'external') {
    if (e.result !== 'fail')
      return { state: { ...s, phase: s.phase === 'unhealthy' ? 'ready' : s.phase, detail: s.phase === 'external' ? s.detail : null, probeFailures: 0, lastProbeError: null }, effects: [] };
    const failures = s.probeFailures + 1;
    const reason = e.reason ?? 'probe failed';
    if (s.phase === 'external' && failures >= cfg.failureThreshold)
      return { state: { ...s, phase: 'stopped', detail: null, pid: null, probeFailures: 0, lastError: `the external server stopped answering: ${reason}`, lastErrorAt: e.at }, effects: [] };
    if (failures < cfg.failureThreshold || s.phase === 'unhealthy' || s.phase === 'external')
      return { state: { ...s, probeFailures: failures, lastProbeError: reason }, effects: [] };
    const lastError = `liveness probe failed ${failures} times: ${reason}`;
    const unhealthy = { ...s, phase: 'unhealthy' as const, probeFailures: failures, lastProbeError: reason, lastError, lastErrorAt: e.at };
    if (!cfg.restart.onUnhealthy) return { state: { ...unhealthy, detail: null }, effects: [{ type: 'clear-timer', name: 'stable' }] };
    return {
      state: { ...unhealthy, phase: 'stopping', detail: 'restarting (unhealthy)', then: 'recover' },
      effects: [{ type: 'clear-timer', name: 'stable' }, { type: 'stop', force: false }],
    };
  }
  return { state: s, effects: [] };
}

/** Generation checks of a ready LLM server: stalled `failureThreshold` times in a row → unhealthy, restarted. */
function onInference(s: ServiceRuntime, e: Extract<MachineEvent, { type: 'inference' }>, cfg: MachineConfig): Transition {
  if (s.phase !== 'ready') return { state: s, effects: [] };
  if (e.result === 'ok') return { state: s.inferenceFailures === 0 ? s : { ...s, inferenceFailures: 0 }, effects: [] };
  const failures = s.inferenceFailures + 1;
  const reason = e.reason ?? 'inference stalled';
  if (failures < cfg.failureThreshold) return { state: { ...s, inferenceFailures: failures, lastProbeError: reason }, effects: [] };
  const unhealthy = { ...s, phase: 'unhealthy' as const, inferenceFailures: failures, lastProbeError: reason, lastError: reason, lastErrorAt: e.at };
  if (!cfg.restart.onUnhealthy) return { state: { ...unhealthy, detail: null }, effects: [{ type: 'clear-timer', name: 'stable' }] };
  return {
    state: { ...unhealthy, phase: 'stopping', detail: 'restarting (inference stalled)', then: 'recover' },
    effects: [{ type: 'clear-timer', name: 'stable' }, { type: 'stop', force: false }],
  };
}

function onTimer(s: ServiceRuntime, e: Extract<MachineEvent, { type: 'timer' }>, cfg: MachineConfig): Transition {
  if (e.name === 'backoff' && s.phase === 'crashed')
    return {
      state: { ...s, phase: 'starting', detail: null, pid: null, nextRetryAt: null, probeFailures: 0, lastProbeError: null, restarts: s.restarts + 1 },
      effects: [{ type: 'spawn' }],
    };
  if (e.name === 'stable' && s.phase === 'ready') return { state: { ...s, retries: 0 }, effects: [] };
  if (e.name === 'start-timeout' && s.phase === 'starting' && s.pid !== null) {
    const why = s.lastProbeError ? `last probe: ${s.lastProbeError}` : s.detail ?? 'no answer';
    const lastError = `not ready after ${Math.round(cfg.startTimeoutMs / 1000)}s (${why})`;
    return {
      state: { ...s, phase: 'stopping', detail: 'start timed out', then: 'recover', lastError, lastErrorAt: e.at },
      effects: [{ type: 'stop', force: false }],
    };
  }
  return { state: s, effects: [] };
}
