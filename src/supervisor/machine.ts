import type { RestartPolicy } from '../config/types.js';
import type { DrainOutcome } from '../protocol/status.js';
import { backoffDelay } from './restart-policy.js';

export type Phase = 'stopped' | 'starting' | 'ready' | 'unhealthy' | 'crashed' | 'draining' | 'stopping' | 'error' | 'external';
export type TimerName = 'backoff' | 'start-timeout' | 'stable' | 'drain-timeout';

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
  /** While draining: the requests still in flight (null until first counted). */
  drainInFlight: number | null;
  /** While draining: when drainTimeout cuts what is still in flight (epoch ms). */
  drainCutAt: number | null;
  /** While draining: when it began (epoch ms), and the most requests counted in flight since. */
  drainBegan: number | null;
  drainPeak: number;
  /** How the last stop's drain ended (what finished, what was cut); null until one ends, and when a new one begins. */
  lastDrain: DrainOutcome | null;
  /** Why it was stopped when that was no error (`idle 10m`): shown while stopped, cleared by its next start. */
  stopReason: string | null;
  /** A stop we asked for ended in an odd exit (a signal other than ours, a nonzero code): what it was, and why. */
  exitNote: string | null;
}

export type MachineEvent =
  | { type: 'start' }
  /**
   * `now`: skip the drain. `at`: when asked (the drain's deadline counts from it). `inFlight`: with `now` (or `force`),
   * the requests the caller counted in flight just before, which the stop cuts.
   */
  | { type: 'restart'; now?: boolean; at?: number; inFlight?: number | null }
  /** `now`: skip the drain; `reason`: why, shown once it is stopped (`idle 10m`). `inFlight`: as for restart. */
  | { type: 'stop'; force: boolean; now?: boolean; reason?: string; at?: number; inFlight?: number | null }
  /** The drain's latest count of requests in flight (the endpoint's and the server's own); 0 ends the drain. */
  | { type: 'in-flight'; count: number; at: number }
  | { type: 'spawned'; pid: number; startTicks: number; logDir: string; at: number }
  | { type: 'adopted'; pid: number; startTicks: number; logDir: string | null; startedAt: number; restarts: number; at: number }
  | { type: 'external'; pid: number | null; at: number }
  | { type: 'spawn-failed'; message: string; at: number }
  | { type: 'probe'; result: 'ok' | 'loading' | 'fail'; reason?: string; at: number }
  | { type: 'inference'; result: 'ok' | 'fail'; reason?: string; at: number }
  /** `afterStop`: for an exit during a stop we asked for that is no plain one, what it was (see ServiceRuntime.exitNote). */
  | { type: 'exited'; code: number | null; signal: string | null; logLine: string | null; at: number; afterStop?: string | null }
  | { type: 'stopped'; at: number }
  | { type: 'timer'; name: TimerName; at: number }
  /** An effect threw: the service goes to `error` (keeping its pid while that process lives, so stop still works). */
  | { type: 'failed'; message: string; alive: boolean; at: number }
  /** Something the user should know that changes nothing else (e.g. its log writer died and was replaced). */
  | { type: 'problem'; message: string; at: number };

export type Effect =
  | { type: 'spawn' }
  | { type: 'stop'; force: boolean }
  /** Count the requests in flight (feeding `in-flight` events) for as long as the phase is `draining`. */
  | { type: 'drain' }
  /**
   * drainTimeout ran out, or a stop --now came during the drain: cut the requests still in flight (last counted).
   * `undrained`: a --now / --force stop of a ready server, which never drained: its requests go with the server.
   */
  | { type: 'cut'; why: 'timeout' | 'now' | 'force'; inFlight: number | null; undrained?: boolean }
  | { type: 'set-timer'; name: TimerName; ms: number }
  | { type: 'clear-timer'; name: TimerName };

export interface MachineConfig {
  restart: RestartPolicy;
  startTimeoutMs: number;
  failureThreshold: number;
  /**
   * How long a stop of a ready server waits for its requests in flight (the service's drainTimeout); null or absent
   * for a kind with no requests to drain (apps, processes): those stop at once.
   */
  drainTimeoutMs?: number | null;
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
    drainInFlight: null, drainCutAt: null, drainBegan: null, drainPeak: 0, lastDrain: null, stopReason: null, exitNote: null,
  };
}

const RUNNING: Phase[] = ['starting', 'ready', 'unhealthy'];
const UNDRAINED = { drainInFlight: null, drainCutAt: null, drainBegan: null, drainPeak: 0 } as const;
const STOP_DRAIN_TIMER: Effect = { type: 'clear-timer', name: 'drain-timeout' };

export function describeExit(code: number | null, signal: string | null): string {
  if (signal) return `killed by ${signal}`;
  if (code === null) return 'exited';
  return `exited with code ${code}`;
}

const START_TIMED_OUT = 'start timed out';

/** The whole service lifecycle: every state write happens here. Pure. */
export function transition(s: ServiceRuntime, e: MachineEvent, cfg: MachineConfig): Transition {
  const same: Transition = { state: s, effects: [] };
  const spawn = (patch: Partial<ServiceRuntime>): Transition => ({
    state: { ...s, phase: 'starting', detail: null, pid: null, startTicks: null, nextRetryAt: null, then: null, probeFailures: 0, inferenceFailures: 0, lastProbeError: null, ...UNDRAINED, stopReason: null, ...patch },
    effects: [{ type: 'clear-timer', name: 'backoff' }, { type: 'clear-timer', name: 'stable' }, { type: 'spawn' }],
  });
  /** `why`: what a crashed state says instead of "crashed" (a start timeout is no crash). */
  const failed = (message: string, at: number, why: string | null = null): Transition => {
    const retries = s.retries + 1;
    const base = { ...s, pid: null, startTicks: null, readyAt: null, then: null, probeFailures: 0, lastErrorAt: at };
    const clear: Effect[] = [{ type: 'clear-timer', name: 'start-timeout' }, { type: 'clear-timer', name: 'stable' }];
    if (retries > cfg.restart.maxRetries) {
      const gaveUp = cfg.restart.maxRetries === 0 ? message : `${message} (gave up after ${cfg.restart.maxRetries} retries)`;
      return { state: { ...base, phase: 'error', detail: null, retries, nextRetryAt: null, lastError: gaveUp }, effects: clear };
    }
    const ms = backoffDelay(retries, cfg.restart);
    return {
      state: { ...base, phase: 'crashed', detail: why, retries, nextRetryAt: at + ms, lastError: message },
      effects: [...clear, { type: 'set-timer', name: 'backoff', ms }],
    };
  };

  switch (e.type) {
    case 'start':
      // An internal error left its process running: stop that one before starting another.
      if (s.phase === 'error' && s.pid !== null) return { state: { ...s, phase: 'stopping', detail: 'restarting', then: 'start', retries: 0 }, effects: [{ type: 'stop', force: false }] };
      if (s.phase === 'stopped' || s.phase === 'error' || s.phase === 'crashed') return spawn({ retries: 0 });
      if (s.phase === 'stopping') return { state: { ...s, then: 'start', retries: 0 }, effects: [] };
      // Wanted again while it drains for a stop (a request for its model came): it was never down, so the stop is off.
      if (s.phase === 'draining' && s.then !== 'start')
        return {
          state: { ...s, ...UNDRAINED, phase: 'ready', detail: null, then: null, stopReason: null },
          effects: [STOP_DRAIN_TIMER, { type: 'set-timer', name: 'stable', ms: cfg.restart.resetAfterMs }],
        };
      if (s.phase === 'draining') return same;
      return same;
    case 'restart':
      if (s.phase === 'draining') {
        const restarting = { ...s, detail: 'restarting', then: 'start' as const, retries: 0 };
        return e.now ? cutNow(restarting, false, 'now', e.at, cfg) : { state: restarting, effects: [] };
      }
      if (drains(s, cfg, e.now)) return drain({ ...s, detail: 'restarting', then: 'start', retries: 0 }, cfg, e.at);
      if (RUNNING.includes(s.phase) && s.pid !== null) {
        const stopping = { ...s, phase: 'stopping' as const, detail: 'restarting', then: 'start' as const, retries: 0 };
        return withUndrainedCut(s, { state: stopping, effects: [{ type: 'stop', force: false }] }, cfg, e.inFlight, 'now');
      }
      return transition(s, { type: 'start' }, cfg);
    case 'stop': {
      const stopReason = e.reason ?? null;
      if (s.phase === 'draining') {
        const kept = { ...s, detail: null, then: null, stopReason };
        return e.now || e.force ? cutNow(kept, e.force, 'now', e.at, cfg) : { state: kept, effects: [] };
      }
      if (drains(s, cfg, e.now || e.force)) return drain({ ...s, detail: null, then: null, stopReason }, cfg, e.at);
      if (RUNNING.includes(s.phase) || s.phase === 'stopping') {
        const effects: Effect[] = [{ type: 'clear-timer', name: 'start-timeout' }, { type: 'clear-timer', name: 'stable' }];
        if (s.pid !== null && (s.phase !== 'stopping' || e.force)) effects.push({ type: 'stop', force: e.force });
        return withUndrainedCut(s, { state: { ...s, phase: 'stopping', detail: null, then: null, stopReason }, effects }, cfg, e.inFlight, e.force ? 'force' : 'now');
      }
      if (s.phase === 'error' && s.pid !== null) return { state: { ...s, phase: 'stopping', detail: null, then: null, stopReason }, effects: [{ type: 'stop', force: e.force }] };
      if (s.phase === 'crashed' || s.phase === 'error')
        return { state: { ...s, phase: 'stopped', detail: null, nextRetryAt: null, stopReason }, effects: [{ type: 'clear-timer', name: 'backoff' }] };
      return same;
    }
    case 'in-flight':
      if (s.phase !== 'draining') return same;
      if (e.count > 0) return s.drainInFlight === e.count ? same : { state: { ...s, drainInFlight: e.count, drainPeak: Math.max(s.drainPeak, e.count) }, effects: [] };
      // Nothing in flight any more: the stop goes on as it would have without a drain.
      return {
        state: { ...s, ...UNDRAINED, phase: 'stopping', lastDrain: { drained: s.drainPeak, cut: 0, cutBy: null, ms: e.at - (s.drainBegan ?? e.at), timeoutMs: cfg.drainTimeoutMs ?? null } },
        effects: [STOP_DRAIN_TIMER, { type: 'stop', force: false }],
      };
    case 'spawned':
    case 'adopted': {
      const startedAt = e.type === 'adopted' ? e.startedAt : e.at;
      const patch = { pid: e.pid, startTicks: e.startTicks, logDir: e.logDir, startedAt, readyAt: null, exitCode: null, signal: null, exitNote: null };
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
      // The stop decides, not the exit status (kept, with what it was when it is no plain one).
      if (s.phase === 'stopping') return { state: { ...recorded, exitNote: e.afterStop ?? null }, effects: [] };
      // It went away while its requests drained: the stop it was waiting for is done.
      if (s.phase === 'draining') {
        const t = transition({ ...recorded, ...UNDRAINED, phase: 'stopping' }, { type: 'stopped', at: e.at }, cfg);
        return { ...t, effects: [STOP_DRAIN_TIMER, ...t.effects] };
      }
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
      if (s.then === 'recover') return failed(s.lastError ?? 'restarted', e.at, s.detail === START_TIMED_OUT ? `not ready within startTimeout ${Math.round(cfg.startTimeoutMs / 1000)}s` : null);
      return { state: { ...down, phase: 'stopped', then: null }, effects: [] };
    }
    case 'timer':
      return onTimer(s, e, cfg);
    case 'failed': {
      const kept = e.alive ? {} : { pid: null, startTicks: null, readyAt: null };
      return {
        state: { ...s, ...kept, ...UNDRAINED, phase: 'error', detail: null, then: null, nextRetryAt: null, lastError: e.message, lastErrorAt: e.at },
        effects: (['start-timeout', 'stable', 'backoff', 'drain-timeout'] as const).map((name) => ({ type: 'clear-timer', name })),
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

/** Does a stop of `s` first wait for its requests in flight? A ready LLM server's does, unless asked `now` (or forced). */
function drains(s: ServiceRuntime, cfg: MachineConfig, now: boolean | undefined): boolean {
  return s.phase === 'ready' && s.pid !== null && !now && cfg.drainTimeoutMs != null && cfg.drainTimeoutMs > 0;
}

/** `draining`: count the requests in flight until none is left or drainTimeout runs out (its `then` is kept). */
function drain(s: ServiceRuntime, cfg: MachineConfig, at = 0): Transition {
  const ms = cfg.drainTimeoutMs!;
  return {
    state: { ...s, phase: 'draining', drainInFlight: null, drainCutAt: at + ms, drainBegan: at, drainPeak: 0, lastDrain: null },
    effects: [{ type: 'clear-timer', name: 'stable' }, { type: 'set-timer', name: 'drain-timeout', ms }, { type: 'drain' }],
  };
}

/** Ends a drain before its requests are done (drainTimeout, or stop --now): they are cut, and the stop goes on. */
function cutNow(s: ServiceRuntime, force: boolean, why: 'timeout' | 'now', at: number | undefined, cfg: MachineConfig): Transition {
  const began = s.drainBegan ?? at ?? 0;
  const cut = s.drainInFlight;
  const lastDrain: DrainOutcome = {
    drained: Math.max(0, s.drainPeak - (cut ?? 0)),
    cut,
    cutBy: why === 'timeout' ? 'drainTimeout' : force ? 'force' : 'now',
    ms: Math.max(0, (at ?? began) - began),
    timeoutMs: cfg.drainTimeoutMs ?? null,
  };
  return {
    state: { ...s, ...UNDRAINED, phase: 'stopping', lastDrain },
    effects: [STOP_DRAIN_TIMER, { type: 'cut', why, inFlight: s.drainInFlight }, { type: 'stop', force }],
  };
}

/**
 * A `--now` or `--force` stop of a ready LLM server never drains: the requests its caller counted in flight go with
 * the server. Recorded as its drain's outcome (so the ✓ line says so) and told like a drain's cut.
 */
function withUndrainedCut(s: ServiceRuntime, t: Transition, cfg: MachineConfig, inFlight: number | null | undefined, by: 'now' | 'force'): Transition {
  if (s.phase !== 'ready' || cfg.drainTimeoutMs == null || inFlight === undefined) return { ...t, state: { ...t.state, lastDrain: null } };
  const lastDrain: DrainOutcome = { drained: 0, cut: inFlight, cutBy: inFlight === 0 ? null : by, ms: 0, timeoutMs: cfg.drainTimeoutMs };
  // Told (daemon log, journal) only when some were counted: a server that did not say is no news of a cut.
  const cut: Effect[] = inFlight === null || inFlight === 0 ? [] : [{ type: 'cut', why: by, inFlight, undrained: true }];
  return { state: { ...t.state, lastDrain }, effects: [...cut, ...t.effects] };
}

function onTimer(s: ServiceRuntime, e: Extract<MachineEvent, { type: 'timer' }>, cfg: MachineConfig): Transition {
  if (e.name === 'drain-timeout' && s.phase === 'draining') return cutNow(s, false, 'timeout', e.at, cfg);
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
      state: { ...s, phase: 'stopping', detail: START_TIMED_OUT, then: 'recover', lastError, lastErrorAt: e.at },
      effects: [{ type: 'stop', force: false }],
    };
  }
  return { state: s, effects: [] };
}
