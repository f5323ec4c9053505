import type { IncomingMessage, ServerResponse } from 'node:http';
import type { ServiceConfig } from '../config/types.js';
import type { ServeServiceInfo } from '../protocol/status.js';
import type { Supervisor } from '../supervisor/supervisor.js';
import { ModelCatalog } from './catalog.js';
import { ServeError, type AcquireOptions, type Lease, type RunningModel, type ServedModel, type ServeGateway, type ServeOutcome } from './contract.js';
import { forward } from './forward.js';
import { GroupQueue } from './group-queue.js';
import { IdleStop } from './idle-stop.js';
import { LeaseBook } from './lease-book.js';
import { accepts, ensureReady } from './readiness.js';
import { configuredNames, groupKey, isServedService } from './served-names.js';
import { cutOnChange, type StateChange } from './cut-reason.js';

/** One request through the endpoint, as it ended: for the serve log and the metrics. */
export interface ServedRequest {
  at: number;
  model: string;
  service: string;
  outcome: ServeOutcome;
  durationMs: number;
  waitedMs: number;
  coldStart: boolean;
}

/** A group swap's time, split: for the serve log and the bench. */
export interface SwapReport {
  /** When the swap began (epoch ms): its serve log line is stamped then, as a request's line is when it arrived. */
  at: number;
  group: string;
  from: string[];
  to: string;
  drainMs: number;
  /** Stopping the other members, their VRAM wait included. */
  stopMs: number;
  /** Of stopMs: waiting for nvidia-smi to show their GPU memory released; null: no GPU to wait for (no nvidia-smi). */
  vramMs: number | null;
  loadMs: number;
  ok: boolean;
}

export interface GatewayEvents {
  served(request: ServedRequest): void;
  swapped(report: SwapReport): void;
  idleStopped(service: string, reason: string): void;
  queueChanged(): void;
}

/** `10m` for whole minutes, else `90s`, `1h30m`. Pure. */
export const idleWords = (ms: number): string =>
  ms % 3_600_000 === 0 ? `${ms / 3_600_000}h` : ms % 60_000 === 0 ? `${ms / 60_000}m` : ms % 1000 === 0 ? `${ms / 1000}s` : `${ms}ms`;

/**
 * The endpoint's core: which service serves a model, starting it on demand (swapping its group), counting the
 * requests in flight (the supervisor's drain asks it), and stopping idle services.
 */
export class Gateway implements ServeGateway {
  /** Its cut says the service's own drainTimeout. */
  readonly leases = new LeaseBook((service, why) =>
    why !== 'timeout' ? { kind: 'now', service, flag: `--${why}` } : { kind: 'drain-timeout', service, drainTimeoutMs: this.serviceConfig(service)?.drainTimeoutMs ?? 30_000 },
  );
  private readonly catalog: ModelCatalog;
  private readonly queues = new Map<string, GroupQueue>();
  private readonly idle: IdleStop;
  /**
   * ollama's keep_alive of the last request, per service: the idle stop after it (the client's wins over idleStop, per
   * request, as in ollama). Forgotten when a new server process starts (restart, reload, next on-demand start) and
   * when a reload changes the service's idleStop: the configured value holds until a client sends keep_alive again.
   */
  private readonly keepAlive = new Map<string, number>();
  /** Each service's idleStop as last configured: a reload that changes it drops a client's keep_alive. */
  private readonly configuredIdle = new Map<string, number | null>();
  private readonly disposers: Array<() => void> = [];

  constructor(
    private readonly supervisor: Supervisor,
    private readonly events: GatewayEvents,
  ) {
    this.catalog = new ModelCatalog(() => this.supervisor.config.services, (name) => this.stateOf(name));
    this.idle = new IdleStop((service) => void this.idleExpired(service));
    this.disposers.push(this.supervisor.addDrainSource(this.leases));
    this.claimServeInfo();
    for (const svc of this.supervisor.config.services) this.configuredIdle.set(svc.name, svc.idleStopMs ?? null);
    const onChange = (event: StateChange) => {
      this.states.set(event.service, event.to);
      // A stop that skipped the drain, or a server that went away: its requests in flight are cut, saying why.
      const cut = this.leases.inFlight(event.service) > 0 ? cutOnChange(event) : null;
      if (cut) this.leases.cutWith(event.service, cut);
      this.stateChanged(event.service, event.to);
    };
    this.supervisor.on('change', onChange);
    this.disposers.push(() => this.supervisor.off('change', onChange));
    const onReconfigured = () => this.retimeIdle();
    this.supervisor.on('reconfigured', onReconfigured);
    this.disposers.push(() => this.supervisor.off('reconfigured', onReconfigured));
    for (const s of this.supervisor.status()) {
      this.states.set(s.name, s.state);
      this.stateChanged(s.name, s.state);
    }
  }

  private readonly serveInfo = (name: string) => this.info(name);

  /** Makes it the gateway whose figures status shows (a reload's new endpoint takes over, a failed one gives back). */
  claimServeInfo(): void {
    this.supervisor.serveInfo = this.serveInfo;
  }

  dispose(): void {
    for (const dispose of this.disposers) dispose();
    if (this.supervisor.serveInfo === this.serveInfo) this.supervisor.serveInfo = null;
    this.idle.dispose();
  }

  private serviceConfig(name: string): ServiceConfig | undefined {
    return this.supervisor.config.services.find((s) => s.name === name);
  }

  models(): Promise<ServedModel[]> {
    return this.catalog.models();
  }

  resolve(name: string): Promise<ServedModel | null> {
    return this.catalog.resolve(name);
  }

  async running(): Promise<RunningModel[]> {
    return (await this.models()).filter((m) => accepts(m.state)).map((model) => ({ model, idleStopAt: this.idle.at(model.service) }));
  }

  async acquire(name: string, options: AcquireOptions): Promise<Lease> {
    const model = await this.resolve(name);
    if (!model) throw await this.unknownModel(name);
    return this.acquireService(model, options);
  }

  /** As `acquire`, for a model already resolved (or a service's own API: `/api/*` passed through to ollama). */
  async acquireService(model: ServedModel, options: AcquireOptions): Promise<Lease> {
    const began = Date.now();
    const svc = this.serviceConfig(model.service);
    if (!svc) throw new ServeError(404, `service ${model.service} is no longer in the config`, 'invalid_request_error', 'model_not_found');
    const queue = this.queueOf(svc);
    let coldStart = false;
    // Ready and nobody queued ahead (a swap in progress): through at once, and nothing was waited for (waitedMs 0,
    // not the millisecond the clock may tick meanwhile: ollama's load_duration and the serve log's wait read it).
    const waits = !(queue.depth === 0 && accepts(this.stateOf(svc.name)));
    if (waits) coldStart = await queue.enter(svc.name, options.signal);
    if (options.signal.aborted) throw new ServeError(499, 'the client disconnected while it waited', 'invalid_request_error', 'client_closed_request');
    const held = this.leases.add(svc.name);
    this.idle.clear(svc.name);
    const port = svc.port ?? 0;
    let released = false;
    const waitedMs = waits ? Date.now() - began : 0;
    return {
      upstream: { service: svc.name, kind: svc.kind, host: svc.host, port },
      model: { ...model, state: this.stateOf(svc.name) },
      waitedMs,
      coldStart,
      signal: held.cut.signal,
      release: (outcome) => {
        if (released) return;
        released = true;
        if (options.keepAliveMs !== undefined && options.keepAliveMs !== null) this.keepAlive.set(svc.name, options.keepAliveMs);
        this.leases.remove(held);
        this.armIdle(svc.name);
        this.events.served({ at: began, model: model.name, service: svc.name, outcome, durationMs: Date.now() - began, waitedMs, coldStart });
      },
    };
  }

  forward(lease: Lease, req: IncomingMessage, res: ServerResponse, body: Buffer, path?: string): Promise<ServeOutcome> {
    return forward(lease, req, res, body, path, { dropAuthorization: this.dropAuthorization });
  }

  /** Set by the endpoint when it checks API keys: the client's key is ours, not the server's. */
  dropAuthorization = false;

  /** The endpoint's view of one service, for status; null for a service it does not serve. */
  info(name: string): ServeServiceInfo | null {
    const svc = this.serviceConfig(name);
    if (!svc || !isServedService(svc)) return null;
    const at = this.idle.at(name);
    return {
      models: configuredNames(svc),
      group: svc.group ?? null,
      inFlight: this.leases.inFlight(name),
      waiting: this.queues.get(groupKey(svc))?.waitingFor(name) ?? 0,
      idleStopAt: at === null ? null : new Date(at).toISOString(),
      idleStopBy: at === null ? null : this.keepAlive.has(name) ? 'keep_alive' : 'idleStop',
    };
  }

  /** Requests waiting per group (a service without a group is a group of its own, named after it). */
  queueDepths(): Array<{ group: string; depth: number }> {
    return [...this.queues.entries()].map(([key, q]) => ({ group: key.replace(/^service:/, ''), depth: q.depth }));
  }

  /** Each service's state as its last change said (kept here: a request asks it several times). */
  private readonly states = new Map<string, string>();

  private stateOf(name: string): string {
    return this.states.get(name) ?? 'stopped';
  }

  private queueOf(svc: ServiceConfig): GroupQueue {
    const key = groupKey(svc);
    let queue = this.queues.get(key);
    if (!queue) {
      queue = new GroupQueue(key, (service) => this.activate(key, service), () => this.events.queueChanged());
      this.queues.set(key, queue);
    }
    return queue;
  }

  /** Makes `service` the running member of its group: the others drained and stopped (VRAM freed), it started. */
  private async activate(key: string, service: string): Promise<{ coldStart: boolean }> {
    const others = this.supervisor.config.services.filter((s) => groupKey(s) === key && s.name !== service && !['stopped', 'external'].includes(this.stateOf(s.name)));
    const began = Date.now();
    let drainMs = 0;
    let stopMs = 0;
    let vramMs: number | null = 0;
    if (others.length > 0) {
      // The supervisor's drain waits for their requests (this endpoint's leases and the server's own), so that they
      // show as `draining (N in flight)` with the time of the cut, like any stop; its end splits drain from stop.
      const names = others.map((s) => s.name);
      let drainEnded = 0;
      const onChange = (event: { service: string; from: string }) => {
        if (names.includes(event.service) && event.from === 'draining') drainEnded = Math.max(drainEnded, Date.now());
      };
      this.supervisor.on('change', onChange);
      this.supervisor.emit('log', `serve: group ${key}: swapping ${names.join(', ')} out for ${service}`);
      try {
        await this.supervisor.stop(names, false, { reason: `swapped out for ${service}` });
      } finally {
        this.supervisor.off('change', onChange);
      }
      drainMs = drainEnded ? drainEnded - began : 0;
      stopMs = Date.now() - began - drainMs;
      const waits = others.map((s) => this.supervisor.lastGpuWaitMs(s.name));
      vramMs = waits.every((w) => w === null) ? null : Math.max(...waits.map((w) => w ?? 0));
    }
    const loadBegan = Date.now();
    const report = (ok: boolean) =>
      others.length > 0 && this.events.swapped({ at: began, group: key, from: others.map((s) => s.name), to: service, drainMs, stopMs, vramMs, loadMs: Date.now() - loadBegan, ok });
    try {
      const ready = await ensureReady(this.supervisor, service, new AbortController().signal);
      report(true);
      return ready;
    } catch (error) {
      report(false);
      throw error;
    }
  }

  private stateChanged(service: string, state: string): void {
    // A new server process: the configured idleStop again, until a client sends keep_alive.
    if (state === 'starting') this.keepAlive.delete(service);
    if (state === 'ready') this.armIdle(service);
    else if (!accepts(state)) this.idle.clear(service);
  }

  /** The idle time of a service: ollama's keep_alive of the last request, else the service's idleStop; null: none. */
  private idleMs(service: string): number | null {
    return this.keepAlive.get(service) ?? this.serviceConfig(service)?.idleStopMs ?? null;
  }

  /** A reload may have changed idleStop: each countdown that runs goes on with the new value (or stops); a service
   * that runs and was given one starts counting now. */
  private retimeIdle(): void {
    for (const svc of this.supervisor.config.services) {
      const ms = svc.idleStopMs ?? null;
      if (this.configuredIdle.has(svc.name) && this.configuredIdle.get(svc.name) !== ms) this.keepAlive.delete(svc.name);
      this.configuredIdle.set(svc.name, ms);
    }
    for (const [service, state] of this.states) {
      const ms = this.idleMs(service);
      if (this.idle.at(service) !== null) this.idle.retime(service, ms);
      else if (state === 'ready' && ms !== null) this.armIdle(service);
    }
  }

  /** The idle stop's deadline from now: ollama's keep_alive of the last request, else the service's idleStop. */
  private armIdle(service: string): void {
    const ms = this.idleMs(service);
    if (ms === null || ms === undefined || !accepts(this.stateOf(service)) || this.leases.inFlight(service) > 0) return;
    this.idle.arm(service, ms);
  }

  private async idleExpired(service: string): Promise<void> {
    const svc = this.serviceConfig(service);
    if (!svc || this.stateOf(service) !== 'ready') return;
    const ms = this.keepAlive.get(service) ?? svc.idleStopMs ?? 0;
    // Busy after all (through the endpoint, waiting in its queue, or sent straight to the server): later.
    await this.supervisor.refreshStats(0).catch(() => undefined);
    const processing = this.supervisor.status(service)[0]?.llm?.requestsProcessing ?? 0;
    if (this.leases.inFlight(service) > 0 || this.queueOf(svc).waitingFor(service) > 0 || processing > 0) {
      if (this.leases.inFlight(service) === 0) this.idle.arm(service, Math.max(1000, ms));
      return;
    }
    if (this.stateOf(service) !== 'ready') return;
    const reason = this.keepAlive.has(service) ? `idle ${idleWords(ms)} (keep_alive)` : `idle ${idleWords(ms)}`;
    this.keepAlive.delete(service);
    this.supervisor.emit('log', `serve: ${service}: no request for ${idleWords(ms)}: stopping it`);
    this.events.idleStopped(service, reason);
    await this.supervisor.stop([service], false, { reason });
  }

  /** 404 naming the models there are. */
  async unknownModel(name: string): Promise<ServeError> {
    const models = await this.models();
    const known = models.map((m) => m.name);
    const stoppedOllama = this.supervisor.config.services.find((s) => s.kind === 'ollama' && !accepts(this.stateOf(s.name)) && !s.models?.length);
    const hint = stoppedOllama ? `; ${stoppedOllama.name}'s models are known while it runs (or list them in services.${stoppedOllama.name}.models)` : '';
    return new ServeError(404, `model "${name}" is not served here (models: ${known.length ? known.join(', ') : 'none'})${hint}`, 'invalid_request_error', 'model_not_found');
  }
}
