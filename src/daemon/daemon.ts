import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { serviceLogDir } from '../logs/chunks.js';
import { diskProblems } from '../process/disk-space.js';
import { findLiveCopy, readCommandLines } from '../process/live-copies.js';
import { protectedPids } from '../process/protected-pids.js';
import type { StackOps } from '../backend/switch.js';
import type { HttpConfig, StackConfig } from '../config/types.js';
import { LlamaTopError } from '../protocol/errors.js';
import type { DaemonInfo, Request } from '../protocol/messages.js';
import { dependencyOrder } from '../supervisor/start-order.js';
import { Supervisor } from '../supervisor/supervisor.js';
import { VERSION } from '../version.js';
import { watchDisks } from './disk-watch.js';
import { EventJournal } from './event-journal.js';
import { acquireLock } from './lock.js';
import { daemonPaths, ensurePrivateDir, type DaemonPaths } from './paths.js';
import { ControlServer, type Subscriber } from './server.js';
import { readStateFile, writeFileAtomic, writeStateFile } from './state-file.js';

export interface DaemonOptions {
  config: StackConfig;
  paths: DaemonPaths;
  log: (line: string) => void;
  /** Foreground (`--headless` alone): stop the services when we are stopped. */
  foreground: boolean;
}

/** The daemon: a supervisor behind a control socket, persisting what a successor needs to re-adopt. */
export class Daemon {
  readonly supervisor: Supervisor;
  /** The stack's recent events; daemon-side modules (the serve endpoint…) tell it theirs with `journal.emit`. */
  readonly journal = new EventJournal();
  private readonly server: ControlServer;
  private stopDiskWatch: () => void = () => undefined;
  /** Runs the config's `notify:` entries on the journal's events; loaded only for a config that has some. */
  private notifier: import('../notify/notifier.js').Notifier | null = null;
  private readonly startedAt = Date.now();
  private releaseLock: (() => void) | null = null;
  private exiting = false;
  private stateLost: string | null = null;
  /** The HTTP listener (config `http:`, or `llama-top web`), when one runs. */
  private http: import('./http-api.js').HttpApi | null = null;
  private httpConfig = '';
  onExit: () => void = () => undefined;

  constructor(private readonly options: DaemonOptions) {
    this.supervisor = new Supervisor(options.config);
    this.server = new ControlServer((request, connection) => this.handle(request, connection));
  }

  async start(): Promise<void> {
    const { paths, log } = this.options;
    ensurePrivateDir(paths.stateDir);
    ensurePrivateDir(paths.socketDir);
    const lock = acquireLock(paths.lockFile);
    if (!lock.acquired) throw new LlamaTopError('FAILED', `a daemon for this config already runs (pid ${lock.holderPid})`);
    this.releaseLock = lock.release;
    this.supervisor.on('log', log);
    this.supervisor.on('stack-event', (event) => this.journal.emit(event));
    this.journal.listen((event) => this.notifier?.handle(event));
    await this.applyNotify(this.options.config);
    this.supervisor.on('change', (event) => {
      this.persist();
      this.server.broadcast({ push: 'event', event });
      const s = event.status;
      log(`${event.service}: ${event.from} -> ${event.to}${s.pid ? ` pid ${s.pid}` : ''}${event.to !== 'ready' && s.lastError ? ` (${s.lastError})` : ''}`);
    });
    const { state: saved, from, damaged } = readStateFile(paths.stateFile);
    if (damaged) log(`${paths.stateFile} could not be read: moved to ${damaged}${from === 'previous' ? '; using the previous copy' : ''}`);
    if (damaged && !saved)
      this.stateLost = `state.json and its previous copy were damaged (moved to ${damaged}): services of this stack may be running unsupervised; check with ps before starting them again`;
    if (saved) {
      this.supervisor.restoreEnvOverrides(saved.envOverrides);
      this.supervisor.adopt(saved.services);
    }
    this.persist();
    // Listen only once the survivors are adopted: a request must never see them as stopped and spawn copies.
    fs.rmSync(paths.socket, { force: true });
    await this.server.listen(paths.socket);
    this.supervisor.watched = () => [...this.server.connections].some((c) => c.subscribed);
    this.supervisor.startMetrics();
    this.stopDiskWatch = watchDisks(() => this.diskPlaces(), (problem) => this.journal.emit({ service: null, event: 'disk-full', reason: problem }));
    if (!this.options.foreground) this.watchIdle();
    log(`daemon ${process.pid} listening on ${paths.socket} for ${this.options.config.file}`);
    if (this.options.config.http) await this.startHttp(this.options.config.http).catch((error) => log(`http: ${(error as Error).message}`));
  }

  /** Loads the notifier when the config has `notify:` entries, or hands it a reloaded config's. */
  private async applyNotify(config: StackConfig): Promise<void> {
    if (!this.notifier && !config.notify?.length) return;
    if (this.notifier) return this.notifier.configure(config.notify ?? []);
    const { Notifier } = await import('../notify/notifier.js');
    this.notifier = new Notifier(config.notify ?? [], { stack: config.name, host: os.hostname(), cwd: config.dir, log: this.options.log });
  }

  /** Where the HTTP listener's token is kept. */
  private get httpTokenFile(): string {
    return path.join(this.options.paths.stateDir, 'http.token');
  }

  /**
   * Starts the HTTP listener, or replaces it when a reload moved it or changed who may call it (origins,
   * allowRemote); the config loader has checked the address. Loaded only then: a daemon without one never loads it.
   */
  private async startHttp(config: HttpConfig): Promise<{ url: string; tokenFile: string; token: string }> {
    const { HttpApi, loadOrCreateToken } = await import('./http-api.js');
    const token = loadOrCreateToken(this.httpTokenFile);
    const wanted = JSON.stringify(config);
    if (this.http && this.httpConfig !== wanted) {
      await this.http.close();
      this.http = null;
    }
    if (!this.http) {
      const next = new HttpApi(config, token, {
        stack: () => this.options.config.name,
        handle: (request, subscriber) => this.handle(request, subscriber),
        attach: (subscriber) => this.server.attach(subscriber),
        detach: (subscriber) => this.server.detach(subscriber),
      });
      try {
        await next.listen();
      } catch (error) {
        const code = (error as NodeJS.ErrnoException).code;
        throw new LlamaTopError('FAILED', `cannot listen on ${config.host}:${config.port} (${code ?? (error as Error).message})${code === 'EADDRINUSE' ? ': something else uses that port; change http.listen' : ''}`);
      }
      this.http = next;
      this.httpConfig = wanted;
      this.options.log(`http: listening on ${next.url} (token in ${this.httpTokenFile})`);
    }
    return { url: this.http.url, tokenFile: this.httpTokenFile, token };
  }

  /**
   * A daemon with nothing to supervise (no service running, starting or waiting to retry) and no client exits after
   * a short grace: `status` on a stopped stack leaves nothing behind. The foreground supervisor stays.
   */
  private watchIdle(): void {
    const graceMs = Number(process.env.LLAMA_TOP_IDLE_EXIT_MS) || 30_000;
    let idleSince = Date.now();
    const timer = setInterval(() => {
      const busy = this.server.connections.size > 0 || this.supervisor.anyActive();
      if (busy) idleSince = Date.now();
      else if (Date.now() - idleSince >= graceMs) {
        clearInterval(timer);
        void this.shutdown(false, `nothing to supervise and no client for ${Math.round(graceMs / 1000)} s`);
      }
    }, Math.min(1000, graceMs / 4));
    timer.unref();
  }

  info(): DaemonInfo {
    return {
      running: true,
      pid: process.pid,
      socket: this.options.paths.socket,
      stateDir: this.options.paths.stateDir,
      configFile: this.options.config.file,
      name: this.options.config.name,
      uptimeSeconds: Math.floor((Date.now() - this.startedAt) / 1000),
      version: VERSION,
      ...(this.http ? { http: { url: this.http.url, tokenFile: this.httpTokenFile } } : {}),
    };
  }

  /** Leaves services running (a successor re-adopts them) unless `stopServices`. */
  async shutdown(stopServices: boolean, reason: string): Promise<void> {
    if (this.exiting) return;
    this.exiting = true;
    this.options.log(`daemon stopping: ${reason}`);
    if (stopServices) await this.supervisor.stop([], false);
    this.persist();
    this.server.broadcast({ push: 'bye', reason });
    this.supervisor.dispose();
    this.stopDiskWatch();
    this.notifier?.dispose();
    await this.http?.close();
    await this.server.close();
    fs.rmSync(this.options.paths.socket, { force: true });
    this.releaseLock?.();
    this.onExit();
  }

  /** What the user should know about the stack as a whole: full disks and who cannot write, lost state. */
  problems(): string[] {
    const problems = diskProblems(this.diskPlaces());
    if (this.stateLost) problems.push(this.stateLost);
    return problems;
  }

  /** The directories the stack writes to, and who cannot write when one is full. */
  private diskPlaces(): Array<{ dir: string; what: string }> {
    const { paths, config } = this.options;
    const writing = this.supervisor.status().filter((s) => s.pid !== null && s.state !== 'external').map((s) => s.name);
    return [
      { dir: paths.stateDir, what: 'state.json and daemon.log cannot be written (the daemon keeps supervising)' },
      { dir: config.logs.dir, what: writing.length ? `the output of ${writing.join(', ')} is dropped until space returns` : 'no running service writes there now' },
    ];
  }

  /** Where a service's log chunks are: its directory under this config's logs.dir. */
  private logDirOf(name: string): string {
    return serviceLogDir(this.options.config.logs.dir, name);
  }

  /** The stack as a backend switch drives it: this daemon's supervisor, waiting for each step. */
  private stackOps(): StackOps {
    const supervisor = this.supervisor;
    return {
      status: async () => supervisor.status(),
      start: (names) => supervisor.start(names, 'start'),
      restart: (names) => supervisor.start(names, 'restart'),
      stop: (names, force) => supervisor.stop(names, force),
      setEnv: async (name, env) => {
        supervisor.setEnv(name, env);
        this.persist();
      },
    };
  }

  /**
   * Applies a config the client validated, or with null the file read afresh here (for clients on another machine:
   * the parser is loaded only then). The same file only; what it changed is restarted, the rest untouched.
   */
  private async reload(given: StackConfig | null): Promise<unknown> {
    let config: StackConfig;
    try {
      config = given ?? (await import('../config/load.js')).loadConfig(this.options.config.file, (f) => daemonPaths(f).logsDir);
      if (config.file !== this.options.config.file)
        throw new LlamaTopError('USAGE', `this daemon runs ${this.options.config.file}, not ${config.file}`);
    } catch (error) {
      this.journal.emit({ service: null, event: 'config-error', reason: `reload refused, the stack runs on unchanged: ${(error as Error).message}` });
      throw error;
    }
    this.options.log(`reloading ${config.file}`);
    const result = await this.supervisor.reconfigure(config);
    this.options.config = config;
    await this.applyNotify(config);
    if (config.http) await this.startHttp(config.http).catch((error) => this.options.log(`http: ${(error as Error).message}`));
    // What the daemon runs now: commands compare the file with it to warn about edits not yet applied.
    writeFileAtomic(path.join(this.options.paths.stateDir, 'config.resolved.json'), JSON.stringify(config));
    this.persist();
    this.server.broadcast({ push: 'snapshot', services: this.supervisor.status() });
    this.options.log(`reloaded: ${JSON.stringify({ restarted: result.restarted.map((r) => r.name), removed: result.removed, added: result.added, changed: result.changed })}`);
    return result;
  }

  /**
   * With state.json lost, a service that is not running here may still run unsupervised: starting it again would
   * make a second copy. Refuse while a process with its exact command line lives, until told --force.
   */
  private refuseLiveCopies(names: string[]): void {
    const pidOf = new Map(this.supervisor.status().map((s) => [s.name, s.pid]));
    const ignore = new Set([...protectedPids(), ...[...pidOf.values()].filter((pid): pid is number => pid !== null)]);
    const processes = readCommandLines();
    const services = this.options.config.services;
    for (const name of dependencyOrder(services, this.supervisor.resolveNames(names))) {
      if (pidOf.get(name) != null) continue;
      const argv = services.find((c) => c.name === name)!.argv;
      const pid = findLiveCopy(argv, ignore, processes);
      if (pid !== null)
        throw new LlamaTopError(
          'FAILED',
          `${name}: pid ${pid} already runs its command line (${argv.join(' ')}), and state.json was lost, so it may be a copy this stack started: stop it (kill ${pid}) or run llama-top start --force ${name}`,
        );
    }
  }

  private persist(): void {
    try {
      writeStateFile(this.options.paths.stateFile, {
        version: 1,
        daemonPid: process.pid,
        configFile: this.options.config.file,
        updatedAt: new Date().toISOString(),
        services: this.supervisor.savedState(),
        envOverrides: this.supervisor.envOverrides(),
      });
    } catch (error) {
      this.options.log(`cannot write ${this.options.paths.stateFile}: ${(error as Error).message}`);
    }
  }

  private async handle(request: Request, connection: Subscriber): Promise<unknown> {
    switch (request.type) {
      case 'status':
        await Promise.all([this.supervisor.refreshStats(), this.supervisor.refreshTrees()]);
        return { services: this.supervisor.status(), problems: this.problems() };
      case 'daemon-info': {
        if (!this.options.config.backend) return this.info();
        const { currentBackend } = await import('../backend/backends.js'); // loaded when asked: an idle daemon stays small
        let backend: string | null = null;
        try {
          backend = currentBackend(this.options.config, this.supervisor.status());
        } catch {
          // the app's config is being rewritten or is broken: the header shows no backend
        }
        return { ...this.info(), backend };
      }
      case 'stack-config':
        return this.options.config;
      case 'journal':
        return this.journal.since(request.since, request.limit ?? undefined);
      case 'notify-test': {
        await this.applyNotify(this.options.config);
        const { Notifier } = await import('../notify/notifier.js');
        const notifier = this.notifier ?? new Notifier([], { stack: this.options.config.name, host: os.hostname(), cwd: this.options.config.dir, log: this.options.log });
        return { outcomes: await notifier.test(request.event, this.supervisor.names()) };
      }
      case 'http-start':
        return this.startHttp(this.options.config.http ?? { host: '127.0.0.1', port: 7878, allowRemote: false, origins: [] });
      case 'models': {
        const { serverKind } = await import('../kinds/index.js'); // loaded when asked: an idle daemon stays small
        const wanted = new Set(request.names.length ? this.supervisor.resolveNames(request.names) : []);
        const servers = this.supervisor.status().filter((s) => (wanted.size === 0 || wanted.has(s.name)) && serverKind(s.kind));
        return { services: await Promise.all(servers.map((s) => serverKind(s.kind)!.listModels(this.options.config.services.find((c) => c.name === s.name)!, s))) };
      }
      case 'subscribe':
        connection.send({ push: 'snapshot', services: this.supervisor.status() });
        connection.subscribed = true;
        return null;
      case 'start':
      case 'restart': {
        if (this.stateLost && !request.force) this.refuseLiveCopies(request.names);
        const run = this.supervisor.start(request.names, request.type);
        if (!request.wait) {
          run.catch(() => undefined);
          this.supervisor.resolveNames(request.names);
          return { results: [] };
        }
        return { results: await run };
      }
      case 'stop': {
        const results = await this.supervisor.stop(request.names, request.force);
        if (request.names.length === 0 && !this.options.foreground && !this.supervisor.anyRunning())
          setImmediate(() => void this.shutdown(false, 'every service is stopped'));
        return { results };
      }
      case 'set-env':
        this.supervisor.setEnv(request.name, request.env);
        this.persist();
        return null;
      case 'daemon-stop':
        setImmediate(() => void this.shutdown(request.all, request.all ? 'daemon stop --all' : 'daemon stop'));
        return null;
      case 'reload':
        return this.reload(request.config);
      case 'logs': {
        const { readLastLogLines, readLogLinesSince } = await import('../logs/chunks.js');
        return {
          logs: this.supervisor.resolveNames(request.names).map((name) => {
            const dir = this.logDirOf(name);
            const lines = request.sinceMs !== null ? readLogLinesSince(dir, Date.now() - request.sinceMs) : readLastLogLines(dir, request.lines, request.times);
            return { service: name, dir, lines };
          }),
        };
      }
      case 'logs-follow': {
        const { followLogDir } = await import('../logs/follow.js');
        for (const name of this.supervisor.resolveNames(request.names)) {
          const handle = followLogDir(this.logDirOf(name), (lines) => connection.send({ push: 'log', service: name, lines }), {
            withTimes: request.times,
            onGap: (chunks) => connection.send({ push: 'log-gap', service: name, chunks }),
          });
          connection.onClose.push(() => handle.stop());
        }
        connection.subscribed = true; // kept open (not idle) while it follows
        return null;
      }
      case 'log-tail': {
        const { latestChunk, readLastLogLines, sizeOrZero } = await import('../logs/chunks.js');
        const dir = this.logDirOf(this.supervisor.resolveNames([request.name])[0]!);
        const chunk = latestChunk(dir);
        const mark = `${chunk?.seq ?? 0}:${chunk ? sizeOrZero(chunk.file) : 0}:${request.lines}`;
        if (mark === request.mark) return { mark, lines: null };
        return { mark, lines: readLastLogLines(dir, request.lines).map((l) => l.text) };
      }
      case 'backend-report': {
        await this.supervisor.refreshStats();
        const { backendReport } = await import('../backend/backends.js'); // loaded when asked: an idle daemon stays small
        return backendReport(this.options.config, this.supervisor.status(), request.only, request.health);
      }
      case 'backend-switch': {
        const { switchBackend } = await import('../backend/switch.js');
        return switchBackend(this.stackOps(), this.options.config, request.name, { force: request.force });
      }
    }
  }
}
