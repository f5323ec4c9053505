import type { LogsConfig, ServeConfig } from '../config/types.js';
import type { StackEventInput } from '../protocol/journal.js';
import type { Supervisor } from '../supervisor/supervisor.js';
import type { ServeActivityReport } from '../protocol/serve-activity.js';
import { ServeActivity } from './activity.js';
import { ServeEndpoint } from './endpoint.js';
import { requestLine, ServeLog, swapLine } from './serve-log.js';
import { ServeMetrics } from './serve-metrics.js';
import { listenOrWait, PortTakenError } from './listen-retry.js';
import { portTaken } from './port-taken.js';

export interface ServeHostParts {
  supervisor: Supervisor;
  stack: () => string;
  logs: () => LogsConfig;
  /** The daemon's log. */
  log: (line: string) => void;
  /** The stack's event journal. */
  event: (event: StackEventInput) => void;
}

/**
 * The serve endpoint over the daemon's life: listening as `serve:` says, replaced when a reload moves it, closed
 * when a reload removes it; with its log and its metrics, which outlive a replaced listener.
 */
export class ServeHost {
  private endpoint: ServeEndpoint | null = null;
  readonly metrics = new ServeMetrics();
  private readonly activity = new ServeActivity();
  private readonly serveLog: ServeLog;

  constructor(private readonly parts: ServeHostParts) {
    this.serveLog = new ServeLog(parts.logs(), parts.log);
  }

  get running(): boolean {
    return this.endpoint !== null;
  }

  get url(): string | null {
    return this.endpoint?.url ?? null;
  }

  get logDir(): string {
    return this.serveLog.dir;
  }

  /** Listens as `config` says (none: closes). A bad address or a taken port rejects, naming serve.listen. */
  async ensure(config: ServeConfig | undefined): Promise<void> {
    const now = this.endpoint?.settings;
    if (now && config && now.host === config.host && now.port === config.port && now.allowRemote === config.allowRemote) {
      this.endpoint!.updateKeys(config);
      return;
    }
    if (!config) return this.close();
    // A move to another port binds the new address first and closes the old one only once it listens: a reload to an
    // address that cannot be bound leaves the working endpoint as it was. The same port (a new host or allowRemote)
    // cannot be bound twice: close first.
    if (now?.port === config.port) await this.close();
    const endpoint = new ServeEndpoint(config, this.parts.supervisor, {
      served: (r) => {
        this.metrics.record(r);
        this.activity.record(r);
        this.serveLog.write(requestLine(r));
        if (r.coldStart) this.parts.event({ service: r.service, event: 'started-on-demand', reason: `a request for ${r.model} started it (waited ${r.waitedMs} ms)` });
      },
      refused: (r) => {
        const outcome = { status: r.status, note: r.message };
        this.metrics.record({ model: r.model, service: r.service, outcome, durationMs: Date.now() - r.at, waitedMs: 0, coldStart: false });
        this.activity.record({ at: r.at, model: r.model, service: r.service, outcome, durationMs: Date.now() - r.at, waitedMs: 0, coldStart: false });
        this.serveLog.write(requestLine({ at: r.at, model: r.model, service: r.service, outcome, durationMs: Date.now() - r.at, waitedMs: 0, coldStart: false }));
      },
      swapped: (s) => {
        this.serveLog.write(swapLine(s));
        this.parts.log(`serve: ${swapLine(s)}`);
      },
      idleStopped: (service, reason) => {
        this.serveLog.write(`${new Date().toISOString()} idle stop ${service}: ${reason}`);
        this.parts.event({ service, event: 'idle-stop', reason });
      },
      queueChanged: () => undefined,
      metricsText: () => this.metricsText(),
    });
    try {
      const { waitedMs } = await listenOrWait(() => endpoint.listen(), () => portTaken(config, this.parts.supervisor.config.file), {
        waiting: (who, ms) => this.parts.log(`serve: ${who.holder}: waiting up to ${ms / 1000} s for it to let go`),
      });
      if (waitedMs > 0) this.parts.log(`serve: ${config.host}:${config.port} was held by a llama-top daemon on its way out: listening after ${waitedMs} ms`);
    } catch (error) {
      endpoint.gateway.dispose();
      this.endpoint?.gateway.claimServeInfo();
      if (error instanceof PortTakenError) throw new Error(`serve: cannot listen on ${config.host}:${config.port}: ${error.message}`);
      const code = (error as NodeJS.ErrnoException).code;
      throw new Error(`serve: cannot listen on ${config.host}:${config.port} (${code ?? (error as Error).message})`);
    }
    const previous = this.endpoint;
    this.endpoint = endpoint;
    await previous?.close();
    this.parts.log(`serve: listening on ${endpoint.url}${config.apiKeys.length ? ' (API keys required)' : ''}`);
  }

  /** What it has done lately, for the status page. */
  activityReport(now = Date.now()): ServeActivityReport {
    return this.activity.report(now, this.url, this.endpoint?.gateway.queueDepths() ?? []);
  }

  /** The endpoint's figures in Prometheus text. */
  metricsText(): string {
    return this.metrics.text(this.parts.stack(), this.endpoint?.gateway.queueDepths() ?? []);
  }

  async close(): Promise<void> {
    const endpoint = this.endpoint;
    this.endpoint = null;
    await endpoint?.close();
  }

  dispose(): Promise<void> {
    this.serveLog.close();
    return this.close();
  }
}
