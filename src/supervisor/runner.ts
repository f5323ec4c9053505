import fs from 'node:fs';
import { parseProcStat } from '../process/proc-stat.js';
import type { LogsConfig, ServiceConfig } from '../config/types.js';
import { serviceLogDir } from '../logs/chunks.js';
import { readLinesOfRun } from '../logs/shown-lines.js';
import { meaningfulLine } from '../logs/tail.js';
import { removeCgroup } from '../process/cgroup.js';
import { Containment, type Jail } from '../process/containment.js';
import { isSameProcess, type ProcessIdentity } from '../process/identity.js';
import { servicePids, stopService } from '../process/jail.js';
import { MarkerScanner } from '../process/marker.js';
import { ProcTable } from '../process/proc-table.js';
import { drainsRequests, serverKind } from '../kinds/index.js';
import type { InferenceSample, ServerTarget } from '../kinds/kind.js';
import type { InferenceCheckReport } from '../protocol/messages.js';
import type { StackEventName } from '../protocol/journal.js';
import { missingModuleHint } from '../kinds/python.js';
import { describePortHolder, findPortHolder } from '../process/ports.js';
import { spawnDetached, type WriterHandle } from '../process/spawner.js';
import { isDiskFull } from '../process/disk-space.js';
import { formatDuration } from '../config/durations.js';
import { waitForGpuRelease } from '../process/gpu.js';
import { spawnProblem } from './spawn-check.js';
import { describeExit, initialRuntime, transition, type Effect, type MachineEvent, type ServiceRuntime, type TimerName } from './machine.js';
import { runProbe } from './probes.js';
import type { DrainSource } from './drain-source.js';
import { combineCounts, DrainWatch } from './drain-watch.js';
import { probeDue } from './probe-pace.js';

export type ChangeListener = (name: string, state: ServiceRuntime, previous: ServiceRuntime) => void;

const STARTING_PROBE_MS = 200;
/** While a request waits for the start (the serve endpoint): ready is seen within this of the server's being so. */
const AWAITED_PROBE_MS = 20;
const ADOPTED_WATCH_MS = 500;
const WRITER_DRAIN_MS = 2000;
const GPU_RELEASE_MS = Number(process.env.LLAMA_TOP_GPU_RELEASE_MS) || 15_000;
/** How long a stop that skips the drain waits for the server's count of what it cuts. */
const COUNT_NOW_MS = 500;

/** Performs one service's effects (spawn, stop, timers, probes) and feeds their results back to the machine. */
export class ServiceRunner {
  state: ServiceRuntime = initialRuntime();
  private readonly timers = new Map<TimerName, NodeJS.Timeout>();
  private probeTimer: NodeJS.Timeout | null = null;
  private probing = false;
  /** When its last health check ran (its quiet pace counts from it). */
  private lastProbeAt: number | null = null;
  private inferenceTimer: NodeJS.Timeout | null = null;
  private inferenceSample: InferenceSample | null = null;
  /** Why its last health check went unanswered without counting (too busy to answer), or null. */
  private busy: string | null = null;
  /** The last inference check's outcome, for status. */
  lastInference: InferenceCheckReport | null = null;
  private watchTimer: NodeJS.Timeout | null = null;
  private stopInFlight: Promise<void> | null = null;
  private forceRequested = false;
  private writer: WriterHandle | null = null;
  /** Settles once the exit of our child (the current leader) has been handled and fed to the machine. */
  private exitHandled: Promise<void> | null = null;
  /** Where this start's processes are kept track of (cgroup or marker); saved in state.json for a successor. */
  jail: Jail | null = null;
  private readonly scanner = new MarkerScanner();
  /** When the current process was spawned: its exit is explained by lines written since, not an older run's. */
  private spawnedAt = 0;
  private disposed = false;
  /** Every descendant seen so far: found again even after it left the group and its parent died. */
  private readonly descendants = new Map<number, number>();
  /** Counts the requests in flight while it drains. */
  private drainWatch: DrainWatch | null = null;

  envOverride: Record<string, string> | null = null;

  constructor(
    /** Replaced by a config reload; used from the next spawn on. */
    public baseConfig: ServiceConfig,
    public logs: LogsConfig,
    private readonly onChange: ChangeListener,
    private readonly log: (line: string) => void = () => undefined,
    /** How services are contained (see process/containment.ts); null: process group and descendants only. */
    private readonly containment: Containment | null = null,
    /** Events that are no state change (the journal's `vram-not-released`). */
    private readonly report: (event: StackEventName, reason: string) => void = () => undefined,
    /** Whoever else counts requests to it (the serve endpoint), for the drain before a stop. */
    private readonly drainSources: () => readonly DrainSource[] = () => [],
    /** Does a client watch (the TUI, the page, `events`)? A healthy service's checks keep their quiet pace otherwise. */
    private readonly watched: () => boolean = () => true,
  ) {}

  /** The config with llama-top's environment override applied (used from the next spawn on). */
  get config(): ServiceConfig {
    return this.envOverride ? { ...this.baseConfig, env: { ...this.baseConfig.env, ...this.envOverride } } : this.baseConfig;
  }

  dispatch(event: MachineEvent): void {
    if (this.disposed) return;
    const previous = this.state;
    const { state, effects } = transition(previous, event, {
      restart: this.config.restart,
      startTimeoutMs: this.config.startTimeoutMs,
      failureThreshold: this.config.failureThreshold,
      drainTimeoutMs: drainsRequests(this.config.kind) ? this.config.drainTimeoutMs : null,
    });
    this.state = state;
    if (state.phase === 'ready' && previous.phase !== 'ready') this.noteDescendants(ProcTable.read());
    if (state.pid !== previous.pid && previous.pid !== null) this.descendants.clear();
    for (const effect of effects) this.guard(() => this.perform(effect));
    if (this.state.phase !== 'draining') this.endDrainWatch();
    this.scheduleProbe();
    this.scheduleInference();
    if (state !== previous) this.onChange(this.config.name, state, previous);
  }

  /** Stop watching (daemon shutdown): services keep running. */
  dispose(): void {
    this.disposed = true;
    for (const timer of this.timers.values()) clearTimeout(timer);
    if (this.probeTimer) clearTimeout(this.probeTimer);
    if (this.inferenceTimer) clearTimeout(this.inferenceTimer);
    if (this.watchTimer) clearInterval(this.watchTimer);
    this.endDrainWatch();
  }

  /** While a server is ready, check every inference interval that it still generates (see kinds/inference.ts). */
  private scheduleInference(): void {
    const check = this.config.inference;
    const server = serverKind(this.config.kind);
    if (this.state.phase !== 'ready' || !check || !server?.checkInference || this.config.port === undefined) {
      if (this.inferenceTimer) clearTimeout(this.inferenceTimer);
      this.inferenceTimer = null;
      if (this.state.phase !== 'ready') {
        this.inferenceSample = null;
        this.lastInference = null;
      }
      return;
    }
    if (this.inferenceTimer || this.disposed) return;
    const pid = this.state.pid;
    this.inferenceTimer = setTimeout(async () => {
      const result = await server.checkInference!(this.serverTarget(), this.inferenceSample, check.timeoutMs, Date.now());
      this.inferenceTimer = null;
      if (this.disposed || this.state.pid !== pid) return;
      this.inferenceSample = result.sample;
      this.lastInference = { checkedAt: new Date().toISOString(), result: result.result, reason: result.reason ?? null };
      if (result.result === 'unknown') this.scheduleInference();
      else this.dispatch({ type: 'inference', result: result.result, reason: result.reason, at: Date.now() });
    }, check.intervalMs);
  }

  /**
   * Runs an effect; what it throws (now or later) turns the service into `error` with the reason, never leaves it in
   * a transitional state (starting, stopping) that nothing would end.
   */
  private guard(effect: () => void | Promise<void>): void {
    const fail = (error: unknown) => {
      const message = `internal error: ${(error as Error)?.message ?? String(error)}`;
      this.log(`${this.config.name}: ${message}${(error as Error)?.stack ? `\n${(error as Error).stack}` : ''}`);
      this.stopInFlight = null;
      const identity = this.identity();
      this.dispatch({ type: 'failed', message, alive: identity !== null && isSameProcess(identity), at: Date.now() });
    };
    try {
      const pending = effect();
      if (pending) pending.catch(fail);
    } catch (error) {
      fail(error);
    }
  }

  noteDescendants(table: ProcTable): void {
    const identity = this.identity();
    if (!identity || identity.startTicks < 0) return;
    for (const [pid, ticks] of this.descendants) if (table.byPid.get(pid)?.startTicks !== ticks) this.descendants.delete(pid);
    for (const pid of servicePids(identity, this.jail, table, this.scanner)) if (pid !== identity.pid) this.descendants.set(pid, table.byPid.get(pid)!.startTicks);
  }

  /** Every live process of the service in `table` (its tree and its jail), for CPU and memory. */
  pidsIn(table: ProcTable): number[] {
    const identity = this.identity();
    return identity && identity.startTicks >= 0 ? servicePids(identity, this.jail, table, this.scanner) : [];
  }

  /** The server as its kind's checks see it (needs a port). */
  private serverTarget(): ServerTarget {
    return {
      host: this.config.host,
      port: this.config.port!,
      pids: () => this.livePids(),
      pid: this.state.pid,
    };
  }

  /** The live processes of its tree now. */
  private livePids(): number[] {
    return this.pidsIn(ProcTable.read());
  }

  identity(): ProcessIdentity | null {
    return this.state.pid !== null && this.state.startTicks !== null ? { pid: this.state.pid, startTicks: this.state.startTicks } : null;
  }

  /** Watches a process that is not our child (adopted from a previous daemon) for its exit. */
  watchAdopted(): void {
    const identity = this.identity();
    if (!identity) return;
    if (this.watchTimer) clearInterval(this.watchTimer);
    this.watchTimer = setInterval(() => {
      if (isSameProcess(identity)) return;
      clearInterval(this.watchTimer!);
      this.watchTimer = null;
      void this.onLeaderExit(identity, null, null);
    }, ADOPTED_WATCH_MS);
  }

  private perform(effect: Effect): void {
    switch (effect.type) {
      case 'spawn':
        this.guard(() => this.spawn());
        return;
      case 'stop':
        this.guard(() => this.stop(effect.force));
        return;
      case 'drain':
        this.startDrainWatch();
        return;
      case 'cut':
        this.cut(effect.why, effect.inFlight, effect.undrained === true);
        return;
      case 'set-timer': {
        this.clearTimer(effect.name);
        const name = effect.name;
        this.timers.set(name, setTimeout(() => { this.timers.delete(name); this.dispatch({ type: 'timer', name, at: Date.now() }); }, effect.ms));
        return;
      }
      case 'clear-timer':
        this.clearTimer(effect.name);
    }
  }

  /** Feeds the machine the requests in flight (every drain source's and the server's own) until the drain ends. */
  private startDrainWatch(): void {
    this.endDrainWatch();
    const cfg = this.config;
    const server = serverKind(cfg.kind);
    const target = cfg.port === undefined ? null : { ...this.serverTarget(), notes: {} };
    const pid = this.state.pid;
    const watch = new DrainWatch(
      cfg.name,
      this.drainSources,
      server?.requestsInFlight && target ? () => (isSignalStopped(pid) ? Promise.resolve(STOPPED_SERVES_NOTHING) : server.requestsInFlight!(target)) : null,
      (count) => {
        if (this.drainWatch === watch && this.state.pid === pid) this.dispatch({ type: 'in-flight', count, at: Date.now() });
      },
      (line) => this.log(`${cfg.name}: draining: ${line}`),
    );
    this.drainWatch = watch;
    watch.start();
  }

  /**
   * The requests in flight now (every drain source's and the server's own), counted once, for a stop that skips the
   * drain (--now, --force) to say what it cut: null when the server does not say within COUNT_NOW_MS (a wedged one:
   * the stop is not held up for it) and none goes through the endpoint; undefined when it is no ready server whose
   * requests are counted.
   */
  async countInFlight(): Promise<number | null | undefined> {
    const cfg = this.config;
    const server = serverKind(cfg.kind);
    if (this.state.phase !== 'ready' || !server?.requestsInFlight || cfg.port === undefined) return undefined;
    let endpoint = 0;
    for (const source of this.drainSources()) {
      try {
        endpoint += Math.max(0, source.inFlight(cfg.name));
      } catch {
        // a source that cannot count adds nothing (the drain watch logs why when it drains)
      }
    }
    const unanswered = { count: null };
    let timer: NodeJS.Timeout | undefined;
    const own = isSignalStopped(this.state.pid)
      ? STOPPED_SERVES_NOTHING
      : await Promise.race([
          server.requestsInFlight({ ...this.serverTarget(), notes: {} }).catch(() => unanswered),
          new Promise<typeof unanswered>((resolve) => (timer = setTimeout(() => resolve(unanswered), COUNT_NOW_MS))),
        ]).finally(() => clearTimeout(timer));
    if (own.count === null && endpoint === 0) return null;
    return combineCounts(endpoint, own.count);
  }

  private endDrainWatch(): void {
    this.drainWatch?.stop();
    this.drainWatch = null;
  }

  /**
   * The drain ends before its requests did: every source cuts its own (the server's go with the server). A stop that
   * never drained (`undrained`: --now or --force on a ready server) leaves them to go with the server.
   */
  private cut(why: 'timeout' | 'now' | 'force', inFlight: number | null, undrained: boolean): void {
    const name = this.config.name;
    for (const source of undrained ? [] : this.drainSources()) {
      try {
        source.cut(name, why);
      } catch (error) {
        this.log(`${name}: a drain source failed to cut its requests: ${(error as Error).message}`);
      }
    }
    if (inFlight === 0) return;
    const what = inFlight === null ? 'the requests in flight' : `${inFlight} request${inFlight === 1 ? '' : 's'} in flight`;
    const reason = why === 'timeout' ? `drainTimeout (${formatDuration(this.config.drainTimeoutMs)}) ran out: ${what} cut` : `stopped --${why}: ${what} cut`;
    this.log(`${name}: ${reason}`);
    this.report('drain-cut', reason);
  }

  private clearTimer(name: TimerName): void {
    const timer = this.timers.get(name);
    if (timer) clearTimeout(timer);
    this.timers.delete(name);
  }

  private async spawn(): Promise<void> {
    const cfg = this.config;
    const fail = (message: string) => this.dispatch({ type: 'spawn-failed', message, at: Date.now() });
    const problem = spawnProblem(cfg);
    if (problem) return fail(problem.message);
    if (cfg.port !== undefined) {
      const holder = await findPortHolder(cfg.port, cfg.host);
      if (holder) {
        if (await serverKind(cfg.kind)?.isServer(cfg.host, cfg.port)) return this.dispatch({ type: 'external', pid: holder.pid, at: Date.now() });
        return fail(`${describePortHolder(cfg.port, holder)}: stop it or change services.${cfg.name}.port`);
      }
    }
    if (this.state.phase === 'stopping') return fail('stopped before it was started');
    if (this.state.phase !== 'starting') return;
    const logDir = serviceLogDir(this.logs.dir, cfg.name);
    const jail = this.containment?.open(cfg.name) ?? null;
    const { argv, env } = Containment.wrap(jail, cfg.argv, cfg.env);
    let child: Awaited<ReturnType<typeof spawnDetached>>;
    try {
      this.spawnedAt = Date.now();
      child = await spawnDetached({ argv, cwd: cfg.cwd, env, logDir, maxBytes: this.logs.maxBytes, maxFiles: this.logs.maxFiles });
    } catch (error) {
      if (jail?.kind === 'cgroup') removeCgroup(jail.path);
      return fail(`cannot start ${cfg.argv[0]}: ${(error as Error).message}`);
    }
    const identity = { pid: child.pid, startTicks: child.startTicks };
    this.jail = jail;
    this.writer?.close();
    this.writer = child.writer;
    this.watchWriter(child.writer, identity);
    this.dispatch({ type: 'spawned', pid: child.pid, startTicks: child.startTicks, logDir, at: Date.now() });
    this.exitHandled = child.exited.then(({ code, signal }) => this.onLeaderExit(identity, code, signal)).catch((error) => this.guard(() => Promise.reject(error)));
  }

  /**
   * A log writer that exits while its service still runs did not see the end of the pipe: it died (killed, out of
   * memory). Say so and start another on the same pipe (the daemon kept a read end, so the service saw nothing).
   */
  private watchWriter(writer: WriterHandle, identity: ProcessIdentity): void {
    const pid = writer.pid;
    void writer.exited.then((exit) => {
      if (this.disposed || this.writer !== writer || writer.pid !== pid) return;
      // The end of the pipe: every process of the service closed its output (or exited). Nothing more will come.
      if (exit.signal === null && exit.code === 0) return writer.close();
      const serviceLives = this.state.pid === identity.pid && this.pidsIn(ProcTable.read()).length > 0;
      if (!serviceLives) return writer.close();
      const how = exit.signal ? `killed by ${exit.signal}` : `exited with code ${exit.code}`;
      let message = `its log writer (pid ${pid}) ${how} while it ran`;
      try {
        if (writer.restart()) {
          message += `: started a new one (pid ${writer.pid}); no output was lost`;
          this.watchWriter(writer, identity);
        } else message += ': its output has nowhere to go until it is restarted';
      } catch (error) {
        message += `: a new one could not be started (${(error as Error).message}); restart the service`;
      }
      this.log(`${this.config.name}: ${message}`);
      this.dispatch({ type: 'problem', message, at: Date.now() });
    });
  }

  private async onLeaderExit(identity: ProcessIdentity, code: number | null, signal: string | null): Promise<void> {
    if (this.state.pid !== identity.pid) return;
    // Descendants that outlive the leader would keep the port: clear them before anything restarts.
    if (!this.stopInFlight && identity.startTicks >= 0) await this.stopAll(identity, 2000, () => false);
    // The service's last words are in the pipe until its writer has read them: wait for it (bounded).
    const writer = this.writer;
    if (writer) {
      writer.close();
      await Promise.race([writer.exited, new Promise((res) => setTimeout(res, WRITER_DRAIN_MS))]);
    }
    const dir = this.state.logDir;
    const lines = dir ? readLinesOfRun(dir, this.spawnedAt, 40).map((l) => l.text) : [];
    const lastLine = dir ? meaningfulLine(lines) : null;
    // On a full disk the last line on disk is whatever was cut short: the cause worth reporting is the disk.
    const hint = lastLine ? missingModuleHint(lastLine, this.config.cwd, this.config.argv[0]!) : null;
    const explained = hint ? `${lastLine} (${hint})` : lastLine;
    const logLine = dir && isDiskFull(dir) ? `the disk holding its logs is full (ENOSPC, ${dir})${lastLine ? `; last line on disk: ${lastLine}` : ''}` : explained;
    // While we waited for its tree and its writer, a stop may have finished and a restart spawned the next process:
    // this exit is no longer the current process's, and must not count as its crash.
    if (this.state.pid !== identity.pid) return;
    const afterStop = this.state.phase === 'stopping' ? this.oddStopExit(code, signal, lines) : null;
    this.dispatch({ type: 'exited', code, signal, logLine, at: Date.now(), afterStop });
  }

  /**
   * A stop we asked for ended: nothing to say of a plain exit (0, or by our SIGTERM / SIGKILL); of another, its kind's
   * explanation when it knows one (llama-server b4748 aborts on its way out), else the raw exit.
   */
  private oddStopExit(code: number | null, signal: string | null, lines: string[]): string | null {
    if (signal === null ? code === 0 || code === null || code === 143 : signal === 'SIGTERM' || signal === 'SIGKILL') return null;
    return serverKind(this.config.kind)?.explainStopExit?.({ code, signal }, lines) ?? `${describeExit(code, signal)} after it was asked to stop`;
  }

  /** Set while requests wait for this start (the serve endpoint): the readiness probe runs every 20 ms. */
  private awaited = false;

  setAwaited(awaited: boolean): void {
    this.awaited = awaited;
    if (awaited && this.probeTimer && this.state.phase === 'starting') {
      clearTimeout(this.probeTimer);
      this.probeTimer = null;
      this.scheduleProbe();
    }
  }

  /** How long the last stop waited for nvidia-smi to release the stopped tree's GPU memory (a swap's split); null when
   * there was no GPU to wait for (no nvidia-smi). */
  lastGpuWaitMs: number | null = 0;

  private stop(force: boolean): Promise<void> | undefined {
    if (force) this.forceRequested = true;
    if (this.stopInFlight) return;
    const identity = this.identity();
    if (!identity) return;
    this.forceRequested = force;
    this.stopInFlight = (async () => {
      const tree = [identity.pid, ...this.descendants.keys()];
      if (identity.startTicks >= 0) await this.stopAll(identity, force ? 0 : this.config.stopTimeoutMs, () => this.forceRequested);
      // A cgroup is empty the moment its last process exits, before Node has seen our child's exit: record that exit
      // (code, signal) before the stop completes, or it would arrive for a process that is no longer current.
      const exitHandled = this.exitHandled;
      if (exitHandled && this.state.pid === identity.pid) await Promise.race([exitHandled, new Promise((res) => setTimeout(res, WRITER_DRAIN_MS + 1000))]);
      this.writer?.close();
      // The driver may hold a dead server's VRAM for seconds: the stop ends once nvidia-smi lets it go, so a
      // restart or a backend switch loads the next model on free memory.
      const gpuWaitBegan = Date.now();
      const { held, gpu } = await waitForGpuRelease(tree, GPU_RELEASE_MS);
      this.lastGpuWaitMs = gpu ? Date.now() - gpuWaitBegan : null;
      if (held.length) {
        const why = `nvidia-smi still lists pid ${held.join(', ')} holding GPU memory ${GPU_RELEASE_MS / 1000} s after it stopped: the next load may not find the memory free`;
        this.log(`${this.config.name}: ${why}`);
        this.report('vram-not-released', why);
      }
      if (this.watchTimer) clearInterval(this.watchTimer);
      this.watchTimer = null;
      this.stopInFlight = null;
      this.dispatch({ type: 'stopped', at: Date.now() });
    })();
    return this.stopInFlight;
  }

  /** Stops every process of the service (its jail, its group, its descendants); the jail goes with them. */
  private async stopAll(identity: ProcessIdentity, timeoutMs: number, shouldForce: () => boolean): Promise<void> {
    const outcome = await stopService(identity, this.jail, this.scanner, { timeoutMs, shouldForce, alsoTrack: this.descendants });
    if (outcome.problem) this.log(`${this.config.name}: ${outcome.problem}`);
  }

  private scheduleProbe(): void {
    const { phase } = this.state;
    const interval =
      phase === 'starting' && this.state.pid !== null ? (this.awaited ? AWAITED_PROBE_MS : STARTING_PROBE_MS)
      : phase === 'ready' || phase === 'unhealthy' || phase === 'external' ? this.config.probeIntervalMs
      : null;
    if (interval === null) {
      if (this.probeTimer) clearTimeout(this.probeTimer);
      this.probeTimer = null;
      return;
    }
    if (this.probeTimer || this.probing || this.disposed) return;
    this.probeTimer = setTimeout(() => void this.probe(), interval);
  }

  private async probe(): Promise<void> {
    this.probeTimer = null;
    const now = Date.now();
    const pace = { phase: this.state.phase, failures: this.state.probeFailures, lastProbeAt: this.lastProbeAt, now };
    const { probeIntervalMs: intervalMs, quietProbeIntervalMs: quietIntervalMs = intervalMs } = this.config;
    if (!probeDue({ ...pace, watched: quietIntervalMs > intervalMs && this.watched(), intervalMs, quietIntervalMs })) {
      this.scheduleProbe(); // its quiet pace: the next tick asks again (a client may have come)
      return;
    }
    this.lastProbeAt = now;
    this.probing = true;
    const pid = this.state.pid;
    const cfg = this.config;
    let result: Awaited<ReturnType<typeof runProbe>>;
    if (cfg.health.type === 'alive') {
      const aliveFor = Date.now() - (this.state.startedAt ?? Date.now());
      result = aliveFor >= cfg.health.afterMs ? { result: 'ok' } : { result: 'fail', reason: `alive for ${aliveFor}ms of ${cfg.health.afterMs}ms` };
    } else {
      result = await runProbe(cfg.health, { host: cfg.host, port: cfg.port, cwd: cfg.cwd, timeoutMs: cfg.probeTimeoutMs });
      // A server too busy to answer (llama-server: every HTTP thread serving a client) is not failing: not counted.
      const busyReason = serverKind(cfg.kind)?.busyReason;
      const busy = result.timedOut && this.state.phase !== 'starting' && busyReason && cfg.port !== undefined ? await busyReason(this.serverTarget()) : null;
      if (busy !== this.busy && busy) this.log(`${cfg.name}: ${cfg.health.type === 'http' ? `GET ${cfg.health.path}` : 'its health check'} got no answer in ${cfg.probeTimeoutMs} ms, not counted as a failure: ${busy}`);
      this.busy = busy;
      if (busy) {
        this.probing = false;
        this.scheduleProbe();
        return;
      }
    }
    this.probing = false;
    if (this.state.pid === pid) this.dispatch({ type: 'probe', ...result, at: Date.now() });
    else this.scheduleProbe();
  }
}

/** A server stopped by a signal (SIGSTOP, state T) answers no question and generates nothing: nothing to wait for. */
const STOPPED_SERVES_NOTHING = { count: 0, reason: 'its process is stopped (SIGSTOP): it serves no request, so nothing is waited for' };

function isSignalStopped(pid: number | null): boolean {
  if (pid === null) return false;
  try {
    return parseProcStat(fs.readFileSync(`/proc/${pid}/stat`, 'utf8'))?.state === 'T';
  } catch {
    return false;
  }
}
