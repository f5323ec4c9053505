import net from 'node:net';
import type { Duplex } from 'node:stream';
import { LlamaTopError, type ErrorCode } from '../protocol/errors.js';
import { encode, NdjsonDecoder } from '../protocol/codec.js';
import type { ClientApi } from '../protocol/daemon-api.js';
import { MAX_MESSAGE_BYTES, PROTOCOL_VERSION, type DaemonInfo, type Push, type Response, type ServiceStatus, type StartOutcome } from '../protocol/messages.js';
import type { ParamsIn, RequestType, Result } from '../protocol/requests.js';
import type { LogLine } from '../protocol/results.js';
import type { StackConfig } from '../protocol/stack-config.js';
import { VERSION } from '../version.js';

type Pending = { resolve: (value: unknown) => void; reject: (error: Error) => void };

export interface ClientOptions {
  /** The daemon's pid (from its lock file), for errors that say what to do. */
  daemonPid?: number | null;
  /** Where to send the user when the daemon does not answer. */
  daemonLog?: string;
  /** Silence longer than this while a request or a subscription is open means the daemon is stuck. */
  deadlineMs?: number;
}

/** The longest line taken from a daemon that has said hello. */
const MAX_ANSWER_BYTES = 64 * 1024 * 1024;

/** Default deadline; LLAMA_TOP_DEADLINE (ms) overrides it. */
const DEFAULT_DEADLINE_MS = 10_000;
const deadlineFromEnv = () => Number(process.env.LLAMA_TOP_DEADLINE) || DEFAULT_DEADLINE_MS;

/** Talks to one daemon over its Unix socket. */
export class DaemonClient implements ClientApi {
  private nextId = 1;
  private readonly pending = new Map<number, Pending>();
  private readonly pushListeners = new Set<(push: Push) => void>();
  private closed = false;
  private lastHeard = Date.now();
  private readonly watchdog: NodeJS.Timeout;
  private readonly deadlineMs: number;
  private readonly decoder: NdjsonDecoder;
  /** Why the connection ended, when it was not the daemon's choice (e.g. it stopped answering). */
  closeReason: LlamaTopError | null = null;
  onClose: () => void = () => undefined;
  /** Settles on the daemon's greeting: rejected when the link closes first (an ssh that failed, a version mismatch). */
  readonly greeted: Promise<void>;
  private greet: { resolve: () => void; reject: (error: Error) => void } = { resolve: () => undefined, reject: () => undefined };

  private constructor(
    private readonly socket: Duplex,
    private readonly options: ClientOptions = {},
  ) {
    this.greeted = new Promise<void>((resolve, reject) => (this.greet = { resolve, reject }));
    this.greeted.catch(() => undefined);
    this.deadlineMs = options.deadlineMs ?? deadlineFromEnv();
    // A daemon that is stopped (SIGSTOP) or stuck still accepts connections: only silence tells. While anything
    // is awaited, ask it something cheap now and then; no answer at all within the deadline ends the wait.
    this.watchdog = setInterval(() => this.checkAlive(), Math.max(100, Math.floor(this.deadlineMs / 4)));
    this.watchdog.unref();
    // Until the daemon has said hello, lines are capped as the daemon caps ours (a login banner that never ends, or
    // something else at the far end of ssh, cannot grow us); its answers may be larger (logs, a big status).
    this.decoder = new NdjsonDecoder(MAX_MESSAGE_BYTES);
    socket.setEncoding('utf8');
    socket.on('data', (chunk: string) => {
      this.lastHeard = Date.now();
      for (const decoded of this.decoder.push(chunk)) {
        if (decoded.ok) this.receive(decoded.value as Response | Push);
        else if (decoded.oversized) return this.refuseOversized();
      }
    });
    socket.on('close', () => {
      this.closed = true;
      this.greet.reject(this.closeReason ?? new LlamaTopError('UNREACHABLE', 'the link closed before the daemon said hello'));
      clearInterval(this.watchdog);
      for (const p of this.pending.values()) p.reject(this.closeReason ?? new LlamaTopError('UNREACHABLE', 'the daemon closed the connection'));
      this.pending.clear();
      this.onClose();
    });
    socket.on('error', () => undefined);
  }

  /** A line over the cap is never buffered: the link is closed, saying why (a request would otherwise wait forever). */
  private refuseOversized(): void {
    const greeted = this.decoder.maxBytes > MAX_MESSAGE_BYTES;
    this.closeReason = greeted
      ? new LlamaTopError('FAILED', `the daemon sent a message over ${this.decoder.maxBytes / 1024 / 1024} MiB`, 'ask for less (e.g. logs -n with fewer lines)')
      : new LlamaTopError('UNREACHABLE', `the other end sent a line over ${MAX_MESSAGE_BYTES / 1024 / 1024} MiB instead of the daemon's greeting: it is not llama-top`);
    this.socket.destroy();
  }

  private checkAlive(): void {
    if (this.closed || (this.pending.size === 0 && this.pushListeners.size === 0)) {
      this.lastHeard = Date.now();
      return;
    }
    const silent = Date.now() - this.lastHeard;
    if (silent >= this.deadlineMs) {
      const pid = this.options.daemonPid;
      const name = pid ? `the daemon (pid ${pid})` : 'the daemon';
      this.closeReason = new LlamaTopError(
        'UNREACHABLE',
        `${name} has not answered for ${(silent / 1000).toFixed(0)} s: it is stopped or stuck${this.options.daemonLog ? ` (see ${this.options.daemonLog})` : ''}`,
        pid ? `if it was stopped: kill -CONT ${pid}; else kill ${pid} (services keep running; the next command starts a daemon that re-adopts them)` : undefined,
      );
      this.socket.destroy();
    } else if (silent >= this.deadlineMs / 4) {
      this.socket.write(encode({ type: 'daemon-info', id: 0 })); // a ping; answers to id 0 are ignored
    }
  }

  /** A client over any byte stream that reaches a daemon (e.g. `ssh HOST llama-top dial-stdio`). */
  static over(stream: Duplex, options: ClientOptions = {}): DaemonClient {
    return new DaemonClient(stream, options);
  }

  static connect(socketPath: string, timeoutMs = 2000, options: ClientOptions = {}): Promise<DaemonClient> {
    return new Promise((resolve, reject) => {
      const socket = net.connect(socketPath);
      const timer = setTimeout(() => {
        socket.destroy();
        reject(new LlamaTopError('UNREACHABLE', `no answer from the daemon socket ${socketPath}`));
      }, timeoutMs);
      socket.once('connect', () => {
        clearTimeout(timer);
        resolve(new DaemonClient(socket, options));
      });
      socket.once('error', (error: NodeJS.ErrnoException) => {
        clearTimeout(timer);
        reject(new LlamaTopError('UNREACHABLE', `daemon not reachable at ${socketPath} (${error.code ?? error.message})`));
      });
    });
  }

  /** Sends one request of the table; the answer is typed by it. */
  call<K extends RequestType>(type: K, params: ParamsIn<K>): Promise<Result<K>> {
    if (this.closed) return Promise.reject(new LlamaTopError('UNREACHABLE', 'the daemon connection is closed'));
    const id = this.nextId++;
    return new Promise<Result<K>>((resolve, reject) => {
      this.pending.set(id, { resolve: (value) => resolve(value as Result<K>), reject }); // the daemon answers by the same table
      this.socket.write(encode({ ...params, type, id }));
    });
  }

  async status(): Promise<ServiceStatus[]> {
    return (await this.statusReport()).services;
  }

  statusReport(): Promise<Result<'status'>> {
    return this.call('status', {});
  }

  daemonInfo(): Promise<DaemonInfo> {
    return this.call('daemon-info', {});
  }

  async start(names: string[], wait: boolean, force = false): Promise<StartOutcome[]> {
    return (await this.call('start', { names, wait, force })).results;
  }

  async restart(names: string[], wait: boolean, force = false, now = false): Promise<StartOutcome[]> {
    return (await this.call('restart', { names, wait, force, ...(now ? { now } : {}) })).results;
  }

  async stop(names: string[], force: boolean, now = false): Promise<StartOutcome[]> {
    return (await this.call('stop', { names, force, ...(now ? { now } : {}) })).results;
  }

  backendReport(only: string | undefined, health = false): Promise<Result<'backend-report'>> {
    return this.call('backend-report', { health, ...(only === undefined ? {} : { only }) });
  }

  backendSwitch(name: string, force: boolean): Promise<Result<'backend-switch'>> {
    return this.call('backend-switch', { name, force });
  }

  async logs(names: string[], lines: number, sinceMs: number | null, times: boolean, probes = true): Promise<Result<'logs'>['logs']> {
    return (await this.call('logs', { names, lines, sinceMs, times, ...(probes ? {} : { probes }) })).logs;
  }

  async followLogs(names: string[], times: boolean, onLines: (service: string, lines: LogLine[]) => void, onGap: (service: string, chunks: number) => void): Promise<void> {
    this.pushListeners.add((push) => {
      if (push.push === 'log') onLines(push.service, push.lines);
      else if (push.push === 'log-gap') onGap(push.service, push.chunks);
    });
    await this.call('logs-follow', { names, times });
  }

  logTail(name: string, lines: number, mark: string | null, probes = true): Promise<Result<'log-tail'>> {
    return this.call('log-tail', { name, lines, mark, ...(probes ? {} : { probes }) });
  }

  reload(config: StackConfig | null): Promise<Result<'reload'>> {
    return this.call('reload', { config });
  }

  async models(names: string[]): Promise<Result<'models'>['services']> {
    return (await this.call('models', { names })).services;
  }

  /** The daemon's event journal after `since` (an ISO time; null: everything it keeps), oldest first. */
  journal(since: string | null, limit: number | null = null): Promise<Result<'journal'>> {
    return this.call('journal', { since, limit });
  }

  /** Sends a sample of `event` (null: each entry's first) to every matching notify entry; what each did. */
  async notifyTest(event: string | null): Promise<Result<'notify-test'>['outcomes']> {
    return (await this.call('notify-test', { event })).outcomes;
  }

  httpStart(): Promise<Result<'http-start'>> {
    return this.call('http-start', {});
  }

  stackConfig(): Promise<Result<'stack-config'>> {
    return this.call('stack-config', {});
  }

  async stopDaemon(all: boolean): Promise<void> {
    await this.call('daemon-stop', { all });
  }

  async setEnv(name: string, env: Record<string, string> | null): Promise<void> {
    await this.call('set-env', { name, env });
  }

  async subscribe(onPush: (push: Push) => void): Promise<() => void> {
    this.pushListeners.add(onPush);
    await this.call('subscribe', {});
    return () => this.pushListeners.delete(onPush);
  }

  onDisconnect(listener: () => void): void {
    const previous = this.onClose;
    this.onClose = () => {
      previous();
      listener();
    };
  }

  close(): void {
    clearInterval(this.watchdog);
    this.socket.end();
    this.socket.destroy();
  }

  private receive(message: Response | Push): void {
    if ('push' in message && message.push === 'hello') {
      if (message.protocol !== PROTOCOL_VERSION) {
        this.closeReason = new LlamaTopError(
          'UNREACHABLE',
          `the daemon (pid ${message.pid}) runs llama-top ${message.version} (protocol ${message.protocol}), and this is llama-top ${VERSION} (protocol ${PROTOCOL_VERSION})`,
          'restart the daemon with this version: llama-top daemon stop (services keep running and are re-adopted), then run the command again',
        );
        this.socket.destroy();
      } else {
        this.decoder.maxBytes = MAX_ANSWER_BYTES;
        this.greet.resolve();
      }
      return;
    }
    if ('push' in message) {
      for (const listener of this.pushListeners) listener(message);
      return;
    }
    if (message.id === null) return;
    const pending = this.pending.get(message.id);
    if (!pending) return;
    this.pending.delete(message.id);
    if (message.ok) pending.resolve(message.result);
    else pending.reject(new LlamaTopError(message.code as ErrorCode, message.message));
  }
}
