import fs from 'node:fs';
import type { HttpConfig, ServeConfig, StackConfig } from '../config/types.js';
import type { ServeHost } from '../serve/serve-host.js';
import { serveLogDir } from '../serve/serve-log.js';
import { LlamaTopError } from '../protocol/errors.js';
import type { DaemonInfo } from '../protocol/messages.js';
import type { ServeReloadOutcome } from '../protocol/results.js';
import type { RequestOf, RequestType, Result } from '../protocol/requests.js';
import { Supervisor } from '../supervisor/supervisor.js';
import { VERSION } from '../version.js';
import { watchDisks } from './disk-watch.js';
import { EventJournal } from './event-journal.js';
import { HistoryRecorder } from './history.js';
import { chartMarks } from './history-marks.js';
import { dispatch, type DaemonParts } from './handlers/index.js';
import { HttpListener } from './http-listener.js';
import { exitWhenIdle } from './idle-exit.js';
import { acquireLock } from './lock.js';
import { ensurePrivateDir, type DaemonPaths } from './paths.js';
import { Notifications } from './notifications.js';
import { stateWriter, type StatePersistence } from './persistence.js';
import { diskPlaces } from './problems.js';
import { ControlServer, type Subscriber } from './server.js';
import { readStateFile, stateMightBeStale } from './state-file.js';

export interface DaemonOptions {
  config: StackConfig;
  paths: DaemonPaths;
  log: (line: string) => void;
  /** Foreground (`--headless` alone): stop the services when we are stopped. */
  foreground: boolean;
}

/**
 * The daemon: a supervisor behind a control socket (and an optional HTTP listener), persisting what a successor
 * needs to re-adopt. It composes the parts and owns their lifetime; what each request does is in handlers/.
 */
export class Daemon {
  readonly supervisor: Supervisor;
  /** The stack's recent events; daemon-side modules (the serve endpoint…) tell it theirs with `journal.emit`. */
  readonly journal = new EventJournal();
  /** Each service's figures over time, a point per sample (history-ring.ts: fixed memory per service). */
  readonly history: HistoryRecorder;
  private readonly notifications: Notifications;
  private stopDiskWatch: () => void = () => undefined;
  private readonly server: ControlServer;
  private readonly http: HttpListener;
  private readonly persist: () => void;
  private readonly persistence: StatePersistence;
  /** state.json may not list every start of the last daemon (its last write did not land): check for live copies. */
  private stateStale = false;
  private readonly parts: DaemonParts;
  private readonly startedAt = Date.now();
  private releaseLock: (() => void) | null = null;
  private exiting = false;
  private stateLost: string | null = null;
  /** Per service, the lastErrorAt already written to daemon.log. */
  private readonly loggedErrorAt = new Map<string, string | null>();
  onExit: () => void = () => undefined;
  /** The serve endpoint (with `serve:`); its module is loaded only then. */
  private serve: ServeHost | null = null;
  private serveError: string | null = null;

  constructor(private readonly options: DaemonOptions) {
    const { paths, log } = options;
    this.supervisor = new Supervisor(options.config);
    this.notifications = new Notifications(log);
    this.server = new ControlServer((request, connection) => this.handle(request, connection));
    this.history = new HistoryRecorder(this.supervisor, this.journal, options.config.metricsIntervalMs, (sample) => this.server.broadcast({ push: 'sample', sample }), Date.now, () =>
      this.supervisor.watched(),
    );
    this.persistence = stateWriter({ stateFile: paths.stateFile, supervisor: this.supervisor, configFile: () => this.options.config.file, log });
    this.persist = () => this.persistence.save();
    this.http = new HttpListener(paths.stateDir, {
      stack: () => this.options.config.name,
      moreMetrics: () => this.serve?.metricsText() ?? '',
      handle: (request, subscriber) => this.handle(request, subscriber),
      attach: (subscriber) => this.server.attach(subscriber),
      detach: (subscriber) => this.server.detach(subscriber),
    }, log);
    this.parts = {
      supervisor: this.supervisor,
      paths,
      foreground: options.foreground,
      config: () => this.options.config,
      replaceConfig: (config) => (this.options.config = config),
      log,
      persist: this.persist,
      broadcast: (push) => this.server.broadcast(push),
      info: () => this.info(),
      stateLost: () => this.stateLost,
      stateStale: () => this.stateStale,
      stateUnsaved: () => this.persistence.unsaved(),
      startHttp: (config: HttpConfig) => this.http.ensure(config),
      ensureServe: (config) => this.ensureServe(config),
      serveActivity: () => this.serve?.activityReport() ?? null,
      serveLogDir: () => (this.options.config.serve || this.serve ? serveLogDir(this.options.config.logs.dir) : null),
      shutdown: (stopServices, reason) => this.shutdown(stopServices, reason),
      journal: this.journal,
      history: this.history,
      notifications: this.notifications,
    };
  }

  async start(): Promise<void> {
    const { paths, log } = this.options;
    ensurePrivateDir(paths.stateDir, 'the state directory');
    ensurePrivateDir(paths.socketDir, 'the socket directory');
    const lock = acquireLock(paths.lockFile);
    if (!lock.acquired) throw new LlamaTopError('FAILED', `a daemon for this config already runs (pid ${lock.holderPid})`);
    this.releaseLock = lock.release;
    this.supervisor.on('log', log);
    this.server.onDrop = log;
    this.supervisor.on('stack-event', (event) => this.journal.emit(event));
    this.journal.listen((event) => this.notifications.handle(event));
    this.journal.listen((event) => {
      for (const mark of chartMarks([event])) this.server.broadcast({ push: 'mark', mark });
    });
    await this.notifications.apply(this.options.config);
    this.supervisor.on('change', (event) => {
      // A server that begins to drain, or whose count in flight changes, keeps everything a successor needs (its pid,
      // start, jail): no state.json write (an fsync) on the way of a stop.
      if (event.to !== 'draining') this.persist();
      this.server.broadcast({ push: 'event', event });
      const s = event.status;
      // An error is told once, with the transition it caused: not again with every later one.
      const fresh = s.lastError !== null && s.lastErrorAt !== this.loggedErrorAt.get(event.service);
      this.loggedErrorAt.set(event.service, s.lastErrorAt);
      log(`${event.service}: ${event.from} -> ${event.to}${s.pid ? ` pid ${s.pid}` : ''}${fresh ? ` (${s.lastError})` : ''}`);
    });
    this.stateStale = stateMightBeStale(paths.stateFile);
    if (this.stateStale) log(`${paths.stateFile} may be stale (its last write was not known to land): starts check for running copies first`);
    const { state: saved, from, damaged } = readStateFile(paths.stateFile);
    if (damaged) log(`${paths.stateFile} could not be read: moved to ${damaged}${from === 'previous' ? '; using the previous copy' : ''}`);
    if (damaged && !saved)
      this.stateLost = `state.json and its previous copy were damaged (moved to ${damaged}): services of this stack may be running unsupervised; check with ps before starting them again`;
    if (saved) {
      this.supervisor.restoreEnvOverrides(saved.envOverrides);
      this.supervisor.adopt(saved.services);
    }
    this.persist();
    // Listen only once the survivors are adopted: a request must never see them as stopped and spawn copies. The
    // serve endpoint listens before the socket, so that a client that connects finds it there.
    if (this.options.config.serve) await this.ensureServe(this.options.config.serve);
    fs.rmSync(paths.socket, { force: true });
    await this.server.listen(paths.socket);
    // A point of the charts' history after each sample; a failure is logged, never an unhandled rejection.
    this.supervisor.on('sampled', () => void this.history.take().catch((error) => log(`history: ${(error as Error).message}`)));
    this.supervisor.watched = () => [...this.server.connections].some((c) => c.subscribed);
    this.supervisor.startMetrics();
    this.stopDiskWatch = watchDisks(
      () => diskPlaces(paths, this.options.config, this.supervisor.status()),
      (problem) => this.journal.emit({ service: null, event: 'disk-full', reason: problem }),
    );
    // A daemon with nothing to supervise (no service running, starting or waiting to retry), no client and no serve
    // endpoint (it waits for requests) exits.
    if (!this.options.foreground)
      exitWhenIdle(() => this.server.connections.size > 0 || this.supervisor.anyActive() || this.options.config.serve !== undefined, (reason) => void this.shutdown(false, reason));
    log(`daemon ${process.pid} listening on ${paths.socket} for ${this.options.config.file}`);
    if (this.options.config.http) await this.http.ensure(this.options.config.http).catch((error) => log(`http: ${(error as Error).message}`));
  }

  /** Listens, moves or closes the serve endpoint as `config` says; a failure is logged and shown in `info().serve`. */
  private async ensureServe(config: ServeConfig | undefined): Promise<ServeReloadOutcome | null> {
    if (!config && !this.serve) return null;
    if (!this.serve) {
      const { ServeHost } = await import('../serve/serve-host.js');
      this.serve = new ServeHost({
        supervisor: this.supervisor,
        stack: () => this.options.config.name,
        logs: () => this.options.config.logs,
        log: this.options.log,
        event: (event) => this.journal.emit(event),
      });
    }
    const from = this.serve.url;
    try {
      await this.serve.ensure(config);
      this.serveError = null;
    } catch (error) {
      this.serveError = (error as Error).message;
      this.options.log(`${this.serveError}${this.serve.url ? ` (still serving on ${this.serve.url}, the address before)` : ''}`);
    }
    return { from, to: this.serve.url, error: this.serveError };
  }

  info(): DaemonInfo {
    const http = this.http.info;
    return {
      running: true,
      pid: process.pid,
      socket: this.options.paths.socket,
      stateDir: this.options.paths.stateDir,
      configFile: this.options.config.file,
      name: this.options.config.name,
      uptimeSeconds: Math.floor((Date.now() - this.startedAt) / 1000),
      version: VERSION,
      containment: this.supervisor.containment.info(),
      ...(http ? { http } : {}),
      ...(this.options.config.serve ? { serve: { url: this.serve?.url ?? null, error: this.serveError } } : {}),
    };
  }

  /** Leaves services running (a successor re-adopts them) unless `stopServices`. */
  async shutdown(stopServices: boolean, reason: string): Promise<void> {
    if (this.exiting) return;
    this.exiting = true;
    this.options.log(`daemon stopping: ${reason}`);
    // The daemon's own end: no drain (a `daemon stop --all` means now; a stop of each service first drains).
    if (stopServices) await this.supervisor.stop([], false, { now: true });
    this.persist();
    this.persistence.dispose();
    this.server.broadcast({ push: 'bye', reason });
    this.supervisor.dispose();
    this.stopDiskWatch();
    this.notifications.dispose();
    await this.serve?.dispose();
    await this.http.close();
    await this.server.close();
    fs.rmSync(this.options.paths.socket, { force: true });
    this.releaseLock?.();
    this.onExit();
  }

  /** Every request, from the socket or HTTP, goes to its handler in the table. */
  private handle<K extends RequestType>(request: RequestOf<K>, connection: Subscriber): Promise<Result<K>> {
    return dispatch(request.type, request, { daemon: this.parts, connection });
  }
}
