import { EventEmitter } from 'node:events';
import type { ServiceConfig, StackConfig } from '../config/types.js';
import { LlamaTopError } from '../protocol/errors.js';
import type { DrainOutcome, ServiceStatus, StartOutcome, StateChangeEvent } from '../protocol/messages.js';
import { Containment, stackKey, type Jail } from '../process/containment.js';
import type { StackEventInput } from '../protocol/journal.js';
import { isSameProcess, type ProcessIdentity } from '../process/identity.js';
import { findLeftover } from '../process/leftovers.js';
import { ProcTable } from '../process/proc-table.js';
import { isProtectedPid } from '../process/protected-pids.js';
import { TreeMetrics, type TreeUsage } from '../process/tree-metrics.js';
import { serviceLogDir } from '../logs/chunks.js';
import type { ServiceRuntime } from './machine.js';
import { reloadProblem } from './reload-check.js';
import { ServiceRunner } from './runner.js';
import type { DrainSource, StopOptions } from './drain-source.js';
import type { ServeServiceInfo } from '../protocol/status.js';
import { toServiceStatus } from './service-status.js';
import { deriveEvents } from './stack-events.js';
import { dependencyOrder } from './start-order.js';
import { StatsSampler } from './stats-sampler.js';

export type { ReloadResult } from '../protocol/results.js';
import type { ReloadResult } from '../protocol/results.js';

export interface SavedService {
  pid: number;
  startTicks: number;
  logDir: string | null;
  startedAt: number;
  /** Crash recoveries so far (the ↻ count); absent in files written before it was kept. */
  restarts?: number;
  /** Its cgroup or marker (absent in files written before containment). */
  jail?: Jail;
}

const UNWATCHED_METRICS_MS = 10_000;

/**
 * Owns every service of one stack. Emits 'change' (StateChangeEvent) on every state change, and 'stack-event' for
 * the journal: each change as the named events it is (stack-events.ts), or as a plain `state` entry; 'sampled'
 * after each sample of the process trees (the history takes its points then).
 */
export class Supervisor extends EventEmitter<{ change: [StateChangeEvent]; log: [string]; 'stack-event': [StackEventInput]; sampled: []; reconfigured: [] }> {
  private readonly runners = new Map<string, ServiceRunner>();
  private usage = new Map<string, TreeUsage>();
  private readonly metrics = new TreeMetrics();
  private readonly stats = new StatsSampler();
  private metricsTimer: NodeJS.Timeout | null = null;
  /** Who else counts requests to the services (the serve endpoint), asked by every drain. */
  private readonly drainSources = new Set<DrainSource>();

  constructor(
    public config: StackConfig,
    /** How each service's processes are kept track of: a cgroup per service, else an environment marker. */
    readonly containment: Containment = Containment.detect(stackKey(config.file, config.name)),
  ) {
    super();
    for (const svc of config.services) this.runners.set(svc.name, this.makeRunner(svc));
  }

  private makeRunner(svc: ServiceConfig): ServiceRunner {
    return new ServiceRunner(
      svc,
      this.config.logs,
      (name, state, previous) => this.changed(name, state, previous),
      (line) => this.emit('log', line),
      this.containment,
      (event, reason) => this.emit('stack-event', { service: svc.name, event, reason }),
      () => [...this.drainSources],
      () => this.watched(),
    );
  }

  /**
   * Registers a counter of requests in flight (the serve endpoint's): every drain before a stop waits for its count
   * too, re-checks when it calls onChange, and calls its cut() when drainTimeout runs out. Returns the unregister.
   */
  addDrainSource(source: DrainSource): () => void {
    this.drainSources.add(source);
    return () => void this.drainSources.delete(source);
  }

  /**
   * Applies a new config to the running stack: unchanged services keep running with the same pid, a changed one
   * is restarted if it runs (else its new settings apply at its next start), a removed one is stopped, an added one
   * starts if autostart. The caller has validated `next`.
   */
  async reconfigure(next: StackConfig): Promise<ReloadResult> {
    const before = new Map(this.config.services.map((s) => [s.name, s]));
    const after = new Map(next.services.map((s) => [s.name, s]));
    const removed = [...before.keys()].filter((n) => !after.has(n));
    const added = [...after.keys()].filter((n) => !before.has(n));
    // The serve endpoint's keys (models, group, idleStop) change how requests reach a service, not the service.
    const settings = (svc: ServiceConfig) => JSON.stringify({ ...svc, models: undefined, group: undefined, idleStopMs: undefined });
    const changed = [...after.keys()].filter((n) => before.has(n) && settings(before.get(n)!) !== settings(after.get(n)!));
    const unchanged = [...after.keys()].filter((n) => before.has(n) && !changed.includes(n));
    // Checked before anything is stopped: a reload whose new settings cannot start keeps the old instance running.
    const problems: string[] = [];
    for (const name of changed) {
      const r = this.runners.get(name)!;
      if (r.state.phase === 'stopped' || r.state.phase === 'external') continue;
      const problem = await reloadProblem(after.get(name)!, r.identity());
      if (problem) problems.push(problem);
    }
    if (problems.length)
      throw new LlamaTopError('CONFIG', `${problems.join('; ')}: nothing was reloaded, the running services keep their old settings`);
    const stopped = removed.length ? await this.stop(removed.filter((n) => this.runners.get(n)!.state.phase !== 'external'), false) : [];
    for (const name of removed) {
      this.runners.get(name)!.dispose();
      this.runners.delete(name);
    }
    this.config = next;
    // The serve endpoint's keys (idleStop…) take effect now, not at the next state change.
    this.emit('reconfigured');
    const running = (name: string) => {
      const r = this.runners.get(name)!;
      return r.state.pid !== null && r.state.phase !== 'external';
    };
    // A changed service that runs, or was meant to (it failed or waits to retry), starts with its new settings.
    const toRestart = changed.filter((n) => running(n) || ['error', 'crashed'].includes(this.runners.get(n)!.state.phase));
    for (const name of [...changed, ...unchanged]) this.runners.get(name)!.baseConfig = after.get(name)!;
    for (const r of this.runners.values()) r.logs = next.logs;
    for (const name of added) this.runners.set(name, this.makeRunner(after.get(name)!));
    const toStart = added.filter((n) => after.get(n)!.autostart);
    const restarted = toRestart.length ? await this.start(toRestart, 'restart') : [];
    const started = toStart.length ? await this.start(toStart, 'start') : [];
    return { unchanged, changed: changed.filter((n) => !toRestart.includes(n)), restarted, stopped, removed, added, started };
  }

  names(): string[] {
    return [...this.runners.keys()];
  }

  /** Unknown names are a usage error that names the valid ones. */
  resolveNames(names: string[]): string[] {
    if (names.length === 0) return this.names();
    for (const name of names)
      if (!this.runners.has(name)) throw new LlamaTopError('UNKNOWN_SERVICE', `unknown service "${name}" (services: ${this.names().join(', ')})`);
    return names;
  }

  status(name?: string): ServiceStatus[] {
    const now = Date.now();
    return [...this.runners.values()]
      .filter((r) => !name || r.config.name === name)
      .map((r) =>
        toServiceStatus(r.config, r.state, this.usage.get(r.config.name), now, {
          envOverride: r.envOverride,
          llm: this.stats.llm.get(r.config.name) ?? null,
          gpuMemoryBytes: this.stats.gpu.get(r.config.name) ?? null,
          inference: r.lastInference,
        }),
      )
      .map((s) => (this.serveInfo ? { ...s, serve: this.serveInfo(s.name) } : s));
  }

  /** Set by the serve endpoint: its view of a service (models, group, queue, idle stop) for status. */
  serveInfo: ((name: string) => ServeServiceInfo | null) | null = null;

  /** Requests wait for `name` to be ready (or no longer): its readiness is probed every 20 ms meanwhile. */
  setAwaited(name: string, awaited: boolean): void {
    const runner = this.runners.get(name);
    runner?.setAwaited(awaited);
  }

  /** How long the last stop of `name` waited for its GPU memory to be released (ms). */
  /** null: no GPU to wait for (no nvidia-smi). */
  lastGpuWaitMs(name: string): number | null {
    const runner = this.runners.get(name);
    return runner ? runner.lastGpuWaitMs : 0;
  }

  /** The other members of `svc`'s group that run, start or wait to retry. */
  private groupRivals(svc: ServiceConfig): string[] {
    if (!svc.group) return [];
    return this.config.services
      .filter((s) => s.group === svc.group && s.name !== svc.name)
      .filter((s) => !['stopped', 'external'].includes(this.runners.get(s.name)?.state.phase ?? 'stopped'))
      .map((s) => s.name);
  }

  /** Requests in flight to `name` that the drain sources count. */
  inFlight(name: string): number {
    return [...this.drainSources].reduce((sum, source) => sum + source.inFlight(name), 0);
  }

  /** Fresh LLM figures and GPU memory (at most `maxAgeMs` old) before answering a status. */
  refreshStats(maxAgeMs = 2000): Promise<void> {
    const targets = [...this.runners.values()].map((r) => ({
      name: r.config.name,
      kind: r.config.kind,
      host: r.config.host,
      port: r.config.port,
      ready: r.state.phase === 'ready' || r.state.phase === 'external',
      pid: r.state.pid,
      model: r.config.model ?? null,
    }));
    return this.stats.refresh(targets, this.usage, maxAgeMs);
  }

  /** Processes a previous daemon left running: adopted only when pid AND start time still match. */
  adopt(saved: Record<string, SavedService>): void {
    for (const [name, entry] of Object.entries(saved)) {
      const runner = this.runners.get(name);
      if (!runner) {
        if (isSameProcess({ pid: entry.pid, startTicks: entry.startTicks }))
          this.emit('log', `${name}: pid ${entry.pid} still runs but the service is no longer in the config: left running, not supervised (kill ${entry.pid} to stop it)`);
        continue;
      }
      if (isProtectedPid(entry.pid)) {
        this.emit('log', `${name}: the state file names pid ${entry.pid}, which is pid 1, this daemon or one of its ancestors: never adopted or signalled`);
        continue;
      }
      if (!isSameProcess({ pid: entry.pid, startTicks: entry.startTicks })) {
        this.emit('log', `${name}: pid ${entry.pid} from the state file is gone or is another process now (start time differs): not adopted`);
        continue;
      }
      runner.jail = entry.jail ?? null;
      runner.dispatch({ type: 'adopted', pid: entry.pid, startTicks: entry.startTicks, logDir: entry.logDir, startedAt: entry.startedAt, restarts: entry.restarts ?? 0, at: Date.now() });
      runner.watchAdopted();
      this.emit('log', `${name}: adopted pid ${entry.pid}`);
    }
    this.adoptLeftovers(saved);
  }

  /**
   * Starts of ours that the state file does not list (started, or restarted, while it could not be written): found
   * by their cgroup or marker and adopted, so a later start never runs a second copy.
   */
  private adoptLeftovers(saved: Record<string, SavedService>): void {
    const table = ProcTable.read();
    const savedCgroups = Object.values(saved).flatMap((e) => (e.jail?.kind === 'cgroup' ? [e.jail.path] : []));
    for (const [name, runner] of this.runners) {
      if (runner.state.pid !== null) continue;
      const found = findLeftover(this.containment, name, runner.config.argv, table, savedCgroups);
      if (!found || isProtectedPid(found.leader.pid, table)) continue;
      runner.jail = found.jail;
      const logDir = serviceLogDir(this.config.logs.dir, name);
      runner.dispatch({ type: 'adopted', pid: found.leader.pid, startTicks: found.leader.startTicks, logDir, startedAt: found.startedAt, restarts: saved[name]?.restarts ?? 0, at: Date.now() });
      runner.watchAdopted();
      const by = found.jail.kind === 'cgroup' ? `its cgroup ${found.jail.path}` : `its marker ${found.jail.id}`;
      this.emit('log', `${name}: adopted pid ${found.leader.pid}, found by ${by}: state.json did not list this start (it was not saved)`);
    }
  }

  setEnv(name: string, env: Record<string, string> | null): void {
    this.runners.get(this.resolveNames([name])[0]!)!.envOverride = env;
  }

  envOverrides(): Record<string, Record<string, string>> {
    const out: Record<string, Record<string, string>> = {};
    for (const [name, r] of this.runners) if (r.envOverride) out[name] = r.envOverride;
    return out;
  }

  restoreEnvOverrides(saved: Record<string, Record<string, string>> | undefined): void {
    for (const [name, env] of Object.entries(saved ?? {})) {
      const runner = this.runners.get(name);
      if (runner) runner.envOverride = env;
    }
  }

  /** What a new daemon needs to re-adopt our processes. */
  savedState(): Record<string, SavedService> {
    const out: Record<string, SavedService> = {};
    for (const [name, r] of this.runners) {
      const s = r.state;
      if (s.pid !== null && s.startTicks !== null && s.startTicks >= 0 && s.phase !== 'external')
        out[name] = { pid: s.pid, startTicks: s.startTicks, logDir: s.logDir, startedAt: s.startedAt ?? Date.now(), restarts: s.restarts, ...(r.jail ? { jail: r.jail } : {}) };
    }
    return out;
  }

  /** Starts `names` (all when empty) and what they depend on, dependencies first. */
  async start(names: string[], kind: 'start' | 'restart' = 'start', options: Pick<StopOptions, 'now'> = {}): Promise<StartOutcome[]> {
    const wanted = this.resolveNames(names);
    const refused = wanted.map((n) => this.runners.get(n)!).find((r) => kind === 'restart' && r.state.phase === 'external');
    if (refused) throw externalRefusal(refused.config.name, refused.state.pid, refused.config.port, 'restart');
    const order = dependencyOrder(this.config.services, wanted);
    const outcomes = new Map<string, Promise<StartOutcome>>();
    for (const name of order) {
      const runner = this.runners.get(name)!;
      const deps = runner.config.dependsOn.map((d) => outcomes.get(d)!).filter(Boolean);
      const direct = wanted.includes(name);
      outcomes.set(
        name,
        Promise.all(deps).then(async (depResults) => {
          const failedDep = depResults.find((d) => !d.ok);
          if (failedDep)
            return { name, ok: false, state: runner.state.phase, error: `not started: dependency ${failedDep.name} is not ready`, elapsedMs: 0 };
          // One service of a group runs at a time (`group:`): the member that runs is stopped first, its VRAM freed.
          const rivals = this.groupRivals(runner.config);
          if (rivals.length) await this.stop(rivals, false, { reason: `swapped out for ${name}` });
          if (!(kind === 'restart' && direct)) {
            runner.dispatch({ type: 'start' });
            return this.waitReady(runner);
          }
          // A restart --now cuts what is in flight: counted first, so that its outcome says so.
          const inFlight = options.now ? await runner.countInFlight() : undefined;
          const before = runner.state.lastDrain;
          runner.dispatch({ type: 'restart', now: options.now, at: Date.now(), ...(inFlight === undefined ? {} : { inFlight }) });
          const outcome = await this.waitReady(runner);
          return withDrain(outcome, runner.state.lastDrain, before);
        }),
      );
    }
    return Promise.all(wanted.map((n) => outcomes.get(n)!));
  }

  /**
   * Stops `names` (all when empty), dependents first. A ready LLM server first drains: it waits for its requests in
   * flight up to its drainTimeout, unless `force` or `options.now`. `options.reason` is shown once it is stopped.
   */
  async stop(names: string[], force: boolean, options: StopOptions = {}): Promise<StartOutcome[]> {
    const wanted = this.resolveNames(names);
    const explicit = names.length > 0;
    for (const name of wanted) {
      const r = this.runners.get(name)!;
      if (r.state.phase === 'external' && explicit) throw externalRefusal(name, r.state.pid, r.config.port, 'stop');
    }
    // Dependents first, so an app never outlives the backend it talks to by surprise.
    const order = dependencyOrder(this.config.services, wanted).filter((n) => wanted.includes(n)).reverse();
    const results: StartOutcome[] = [];
    for (const name of order) {
      const r = this.runners.get(name)!;
      const began = Date.now();
      // A stop that skips the drain cuts what is in flight: counted first, so that its outcome says so.
      const inFlight = options.now || force ? await r.countInFlight() : undefined;
      const before = r.state.lastDrain;
      if (r.state.phase !== 'external') r.dispatch({ type: 'stop', force, now: options.now, reason: options.reason, at: Date.now(), ...(inFlight === undefined ? {} : { inFlight }) });
      await this.waitFor(r, (s) => s.phase !== 'stopping' && s.phase !== 'draining');
      const ok = r.state.phase === 'stopped' || r.state.phase === 'external';
      // A start while it drained called the stop off (see machine.ts): say so rather than fail without a word.
      const error = !ok && r.state.phase === 'ready' ? 'started again while it drained: not stopped' : null;
      results.push(withDrain({ name, ok, state: r.state.phase, error, elapsedMs: Date.now() - began }, r.state.lastDrain, before));
    }
    return results;
  }

  /** True while any service has a process of ours. */
  /** Anything to supervise: a process of ours, or a service starting, stopping or waiting to retry. */
  anyActive(): boolean {
    return this.anyRunning() || [...this.runners.values()].some((r) => ['starting', 'draining', 'stopping', 'crashed'].includes(r.state.phase));
  }

  anyRunning(): boolean {
    return [...this.runners.values()].some((r) => r.state.pid !== null && r.state.phase !== 'external');
  }

  /** True while a client watches (the TUI, events): tree metrics are then sampled every metrics interval. */
  watched: () => boolean = () => true;
  private lastTreeSample = 0;

  /**
   * CPU and memory of every process tree: every metrics interval while someone watches, every 10 s otherwise (an
   * unwatched daemon stays idle); a `status` asks for a fresh sample when the last one is older than the interval.
   */
  startMetrics(): void {
    const tick = async () => {
      await this.sampleTrees();
      const every = this.watched() ? this.config.metricsIntervalMs : Math.max(this.config.metricsIntervalMs, UNWATCHED_METRICS_MS);
      this.metricsTimer = setTimeout(() => void tick(), every);
    };
    this.metricsTimer = setTimeout(() => void tick(), 0);
  }

  /** A tree sample unless one younger than the metrics interval exists. */
  async refreshTrees(): Promise<void> {
    if (Date.now() - this.lastTreeSample >= this.config.metricsIntervalMs) await this.sampleTrees();
  }

  private async sampleTrees(): Promise<void> {
    this.lastTreeSample = Date.now();
    const targets = new Map<string, ProcessIdentity>();
    for (const [name, r] of this.runners) {
      const id = r.identity();
      if (id && id.startTicks >= 0) targets.set(name, id);
    }
    const table = targets.size > 0 ? ProcTable.read() : null;
    if (table) for (const name of targets.keys()) this.runners.get(name)!.noteDescendants(table);
    this.usage = targets.size > 0 ? await this.metrics.sample(targets, table, (name) => this.runners.get(name)!.pidsIn(table!)) : new Map();
    this.emit('sampled');
  }

  /** Stops watching; the services keep running and a new daemon re-adopts them. */
  dispose(): void {
    if (this.metricsTimer) clearTimeout(this.metricsTimer);
    for (const r of this.runners.values()) r.dispose();
    this.containment.tidy();
  }

  private waitReady(runner: ServiceRunner): Promise<StartOutcome> {
    const began = Date.now();
    const name = runner.config.name;
    return this.waitFor(runner, (s, first) => settled(s, first)).then((s) => ({
      name,
      ok: s.phase === 'ready' || s.phase === 'external',
      state: s.phase,
      error: s.phase === 'ready' || s.phase === 'external' ? null : (s.lastError ?? `${s.phase}`),
      elapsedMs: Date.now() - began,
    }));
  }

  private waitFor(runner: ServiceRunner, done: (s: ServiceRuntime, first: boolean) => boolean): Promise<ServiceRuntime> {
    if (done(runner.state, true)) return Promise.resolve(runner.state);
    return new Promise((resolve) => {
      const listener = (event: StateChangeEvent) => {
        if (event.service !== runner.config.name || !done(runner.state, false)) return;
        this.off('change', listener);
        resolve(runner.state);
      };
      this.on('change', listener);
    });
  }

  private changed(name: string, state: ServiceRuntime, previous: ServiceRuntime): void {
    const visible: Array<keyof ServiceRuntime> = ['phase', 'detail', 'pid', 'retries', 'lastError', 'then', 'drainInFlight'];
    if (visible.every((key) => state[key] === previous[key])) return;
    const [status] = this.status(name);
    const time = new Date().toISOString();
    // Journaled before the change is announced: a waiter woken by it may cause the next change at once.
    if (state.phase !== previous.phase) {
      const derived = deriveEvents(previous, state);
      const common = { time, service: name, from: previous.phase, to: state.phase, retries: state.retries };
      if (derived.length === 0) this.emit('stack-event', { ...common, event: 'state', reason: state.phase === 'ready' ? null : state.lastError });
      for (const { event, reason } of derived) this.emit('stack-event', { ...common, event, reason });
    }
    this.emit('change', { type: 'state', time, service: name, from: previous.phase, to: state.phase, status: status! });
  }
}

/**
 * The outcome with this stop's drain (the one that ended since `before` was read), when it waited for or cut
 * anything: a drain of nothing is no news.
 */
function withDrain(outcome: StartOutcome, drain: DrainOutcome | null, before: DrainOutcome | null): StartOutcome {
  if (!drain || drain === before || (drain.drained === 0 && drain.cut === 0)) return outcome;
  return { ...outcome, drain };
}

/** Has a start attempt come to an end, good or bad? A crash ends it: the retries go on in the background. */
function settled(s: ServiceRuntime, first: boolean): boolean {
  if (s.phase === 'ready' || s.phase === 'external' || s.phase === 'error' || s.phase === 'crashed') return !first || s.phase !== 'crashed';
  if (s.phase === 'stopping') return s.then === 'recover';
  return s.phase === 'stopped' && !first;
}

function externalRefusal(name: string, pid: number | null, port: number | undefined, verb: string): LlamaTopError {
  return new LlamaTopError(
    'REFUSED',
    `${name} is external: the server on port ${port} (pid ${pid ?? '?'}) was not started by llama-top, so it will not ${verb} it`,
    `stop that process yourself, then run llama-top start ${name}`,
  );
}
