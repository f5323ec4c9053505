import type { DaemonApi } from '../protocol/daemon-api.js';
import { errorMessage, LlamaTopError } from '../protocol/errors.js';
import type { DaemonInfo, Push, ServiceStatus, StartOutcome } from '../protocol/messages.js';
import type { ParamsIn, RequestType, Result } from '../protocol/requests.js';
import type { BackendReport, ReloadResult, SwitchResult } from '../protocol/results.js';
import type { StackConfig } from '../protocol/stack-config.js';
import { VERSION } from '../version.js';

/** One box of a multi-host TUI: how to reach its daemon (over ssh: a fresh link each time). */
export interface HostTarget {
  host: string;
  connect(): Promise<DaemonApi>;
}

interface Member extends HostTarget {
  api: DaemonApi | null;
  services: ServiceStatus[];
  info: DaemonInfo | null;
  /** Why it is unreachable; null while connected or before the first attempt ends. */
  error: string | null;
  everConnected: boolean;
  /** Its link dropped and it is being dialled again (until an attempt fails: then it is unreachable). */
  lost: boolean;
  retry: NodeJS.Timeout | null;
}

/** What a box's link is doing, as the header and its row say it. Pure. */
const linkOf = (m: Member) => (m.api ? 'up' : m.lost ? 'lost' : m.error === null ? 'connecting' : 'unreachable') as 'up' | 'lost' | 'connecting' | 'unreachable';

const ONE_HOST_BACKEND = new LlamaTopError('USAGE', 'with several hosts, switch a backend on one: llama-top --remote HOST backend switch NAME');
const oneHost = (what: string) => Promise.reject(new LlamaTopError('USAGE', `with several hosts, ${what} on one: llama-top --remote HOST …`));

/** How the composite answers each request of the table: split by host, asked of each, names given their host. */
type HostCalls = { [K in RequestType]: (hosts: HostsApi, params: ParamsIn<K>) => Promise<Result<K>> };
const HOST_CALLS: HostCalls = {
  status: async (h) => h.statusReport(),
  'daemon-info': (h) => h.daemonInfo(),
  start: async (h, p) => ({ results: await h.start(p.names ?? [], p.wait ?? true, p.force ?? false) }),
  restart: async (h, p) => ({ results: await h.restart(p.names ?? [], p.wait ?? true, p.force ?? false, p.now ?? false) }),
  stop: async (h, p) => ({ results: await h.stop(p.names ?? [], p.force ?? false, p.now ?? false) }),
  subscribe: async () => null, // every host is subscribed already; subscribe(onPush) adds a listener
  'daemon-stop': async (h, p) => (await h.stopDaemon(p.all ?? false), null),
  'backend-report': () => Promise.reject(ONE_HOST_BACKEND),
  'backend-switch': () => Promise.reject(ONE_HOST_BACKEND),
  logs: async (h, p) => ({ logs: await h.eachHost(p.names ?? [], async (api, names) => (await api.call('logs', { ...p, names })).logs) }),
  'logs-follow': () => oneHost('follow logs'),
  'log-tail': (h, p) => h.logTail(p.name, p.lines, p.mark ?? null),
  reload: (h, p) => (p.config ? oneHost('reload a config file') : h.reload()),
  'stack-config': (h) => h.stackConfig(),
  'http-start': () => oneHost('start the HTTP listener'),
  models: async (h, p) => ({ services: await h.eachHost(p.names ?? [], async (api, names) => (await api.call('models', { names })).services) }),
  'set-env': async (h, p) => (await h.setEnv(p.name, p.env), null),
  journal: () => oneHost('read the event journal'),
  'notify-test': () => oneHost('test the notifications'),
  history: () => oneHost('read the history'),
  'serve-activity': () => oneHost('read the serve activity'),
};

/** `host/service`: every name the TUI keys its rows, history and panes by is unique across hosts. */
export const qualify = (host: string, name: string) => `${host}/${name}`;
export function splitQualified(name: string): { host: string; name: string } {
  const slash = name.indexOf('/');
  return slash < 0 ? { host: '', name } : { host: name.slice(0, slash), name: name.slice(slash + 1) };
}

/** The row a host shows while it cannot be reached (or is being reached for the first time, or again after a drop). */
export function unreachableRow(host: string, error: string | null, lost = false): ServiceStatus {
  return {
    name: qualify(host, ''), box: host, kind: '-', // a box, not a service
    state: error && !lost ? 'error' : 'starting', detail: lost ? 'link lost, reconnecting' : error ? 'unreachable' : 'connecting…',
    pid: null, host: '', port: null, model: null, startedAt: null, uptimeSeconds: null, restarts: 0, retries: 0, maxRetries: 0, nextRetryAt: null,
    exitCode: null, signal: null, lastError: error, lastErrorAt: null, cpuPercent: null, memoryBytes: null, processCount: 0, logDir: null,
    autostart: false, dependsOn: [], envOverride: null, llm: null, gpuMemoryBytes: null,
  };
}

const renamed = (host: string, s: ServiceStatus): ServiceStatus => ({ ...s, name: qualify(host, s.name), box: host });

/**
 * Several daemons as one, for the TUI on `--remote a --remote b`: rows grouped by host, each request sent to the
 * host its service belongs to. A host that drops shows "unreachable, retrying" and is dialled again on its own;
 * the others keep working, and this never reports a disconnect as a whole.
 */
export class HostsApi implements DaemonApi {
  private readonly members: Member[];
  private readonly listeners = new Set<(push: Push) => void>();
  private closed = false;

  constructor(
    targets: HostTarget[],
    private readonly retryMs = 2000,
    /** Called once per host, on its first connection (the TUI starts the host's autostart services then). */
    private readonly onFirstConnect: (host: string, api: DaemonApi) => void = () => undefined,
  ) {
    this.members = targets.map((t) => ({ ...t, api: null, services: [], info: null, error: null, everConnected: false, lost: false, retry: null }));
    for (const m of this.members) void this.open(m);
  }

  private async open(m: Member): Promise<void> {
    m.retry = null;
    try {
      const api = await m.connect();
      if (this.closed) return api.close();
      api.onDisconnect(() => {
        if (m.api !== api) return;
        m.api = null;
        m.lost = true;
        this.fail(m, `the link to ${m.host} was lost`);
      });
      m.api = api;
      m.error = null;
      m.lost = false;
      await api.subscribe((push) => this.onPush(m, push));
      if (!m.everConnected) this.onFirstConnect(m.host, api);
      m.everConnected = true;
    } catch (error) {
      m.api = null;
      m.lost = false;
      this.fail(m, errorMessage(error));
    }
  }

  private fail(m: Member, why: string): void {
    m.error = why;
    this.emit({ push: 'snapshot', services: this.rows() });
    if (!this.closed && !m.retry) m.retry = setTimeout(() => void this.open(m), this.retryMs);
  }

  private onPush(m: Member, push: Push): void {
    if (push.push === 'snapshot') {
      m.services = push.services.map((s) => renamed(m.host, s));
      this.emit({ push: 'snapshot', services: this.rows() });
    } else if (push.push === 'event') {
      const status = renamed(m.host, push.event.status);
      m.services = m.services.map((s) => (s.name === status.name ? status : s));
      this.emit({ push: 'event', event: { ...push.event, service: status.name, status } });
    }
  }

  private emit(push: Push): void {
    for (const listener of this.listeners) listener(push);
  }

  /** Every host's rows, in the order the hosts were given; an unreachable host is one row saying so. */
  private rows(): ServiceStatus[] {
    return this.members.flatMap((m) => (m.api ? m.services : [unreachableRow(m.host, m.error, m.lost)]));
  }

  private member(host: string): Member {
    const m = this.members.find((x) => x.host === host);
    if (!m) throw new LlamaTopError('UNKNOWN_SERVICE', `no host "${host}" here (hosts: ${this.members.map((x) => x.host).join(', ')})`);
    return m;
  }

  private connected(host: string): DaemonApi {
    const m = this.member(host);
    if (!m.api) throw new LlamaTopError('UNREACHABLE', `${host} is unreachable (${m.error ?? 'connecting'}); retrying`);
    return m.api;
  }

  /** Sends each host its own services' names (none given: every host, with none). */
  private async perHost(names: string[], run: (api: DaemonApi, names: string[]) => Promise<StartOutcome[]>): Promise<StartOutcome[]> {
    const groups = new Map<string, string[]>();
    if (names.length === 0) for (const m of this.members) groups.set(m.host, []);
    for (const q of names) {
      const { host, name } = splitQualified(q);
      if (name) groups.set(host, [...(groups.get(host) ?? []), name]);
    }
    const results = await Promise.all(
      [...groups].map(async ([host, group]) => {
        try {
          return (await run(this.connected(host), group)).map((o) => ({ ...o, name: qualify(host, o.name) }));
        } catch (error) {
          return (group.length ? group : ['']).map((n) => ({ name: qualify(host, n), ok: false, state: 'error' as const, error: errorMessage(error), elapsedMs: 0 }));
        }
      }),
    );
    return results.flat();
  }

  call<K extends RequestType>(type: K, params: ParamsIn<K>): Promise<Result<K>> {
    const run: HostCalls[K] = HOST_CALLS[type];
    return run(this, params);
  }

  /**
   * Asks each host about its own services (none named: every reachable host, with none) and gives the `service` of
   * each answer its host.
   */
  async eachHost<T extends { service: string }>(names: string[], ask: (api: DaemonApi, names: string[]) => Promise<T[]>): Promise<T[]> {
    const groups = new Map<string, string[]>();
    if (names.length === 0) for (const m of this.members) if (m.api) groups.set(m.host, []);
    for (const q of names) {
      const { host, name } = splitQualified(q);
      if (name) groups.set(host, [...(groups.get(host) ?? []), name]);
    }
    const answers = await Promise.all([...groups].map(async ([host, group]) => (await ask(this.connected(host), group)).map((a) => ({ ...a, service: qualify(host, a.service) }))));
    return answers.flat();
  }

  /** Every host's services, and each host's problems (an unreachable host is one). */
  async statusReport(): Promise<Result<'status'>> {
    const problems = await Promise.all(
      this.members.map(async (m) => {
        if (!m.api) return [`${m.host}: unreachable (${m.error ?? 'connecting'})`];
        const report = await m.api.call('status', {}).catch(() => null);
        if (report) m.services = report.services.map((s) => renamed(m.host, s));
        return (report?.problems ?? []).map((p) => `${m.host}: ${p}`);
      }),
    );
    return { services: this.rows(), problems: problems.flat() };
  }

  async status(): Promise<ServiceStatus[]> {
    await Promise.all(
      this.members.map(async (m) => {
        if (m.api) m.services = (await m.api.status().catch(() => null))?.map((s) => renamed(m.host, s)) ?? m.services;
      }),
    );
    return this.rows();
  }

  async daemonInfo(): Promise<DaemonInfo> {
    await Promise.all(this.members.map(async (m) => (m.info = m.api ? await m.api.daemonInfo().catch(() => m.info) : null)));
    return {
      running: true, pid: null, socket: '', stateDir: '', configFile: '', name: this.members.map((m) => m.host).join(' + '), uptimeSeconds: null, version: VERSION,
      hosts: this.members.map((m) => ({ host: m.host, pid: m.info?.pid ?? null, reachable: m.api !== null, error: m.api ? null : m.error, link: linkOf(m) })),
    };
  }

  start(names: string[], wait: boolean, force = false): Promise<StartOutcome[]> {
    return this.perHost(names, (api, group) => api.start(group, wait, force));
  }

  restart(names: string[], wait: boolean, force = false, now = false): Promise<StartOutcome[]> {
    return this.perHost(names, (api, group) => api.restart(group, wait, force, now));
  }

  stop(names: string[], force: boolean, now = false): Promise<StartOutcome[]> {
    return this.perHost(names, (api, group) => api.stop(group, force, now));
  }

  async stopDaemon(all: boolean): Promise<void> {
    await Promise.all(this.members.map((m) => m.api?.stopDaemon(all).catch(() => undefined)));
  }

  setEnv(name: string, env: Record<string, string> | null): Promise<void> {
    const q = splitQualified(name);
    return this.connected(q.host).setEnv(q.name, env);
  }

  async subscribe(onPush: (push: Push) => void): Promise<() => void> {
    this.listeners.add(onPush);
    onPush({ push: 'snapshot', services: this.rows() });
    return () => this.listeners.delete(onPush);
  }

  logTail(name: string, lines: number, mark: string | null, probes = true): Promise<{ mark: string; lines: string[] | null }> {
    const q = splitQualified(name);
    if (!q.name) return Promise.resolve({ mark: 'none', lines: [] });
    return this.connected(q.host).logTail(q.name, lines, mark, probes);
  }

  /** R: every reachable host's daemon re-reads its own file; the names in the result carry their host. */
  async reload(): Promise<ReloadResult> {
    const results = await Promise.all(this.members.filter((m) => m.api).map(async (m) => ({ host: m.host, r: await m.api!.reload(null) })));
    const names = (host: string, list: string[]) => list.map((n) => qualify(host, n));
    const outcomes = (host: string, list: StartOutcome[]) => list.map((o) => ({ ...o, name: qualify(host, o.name) }));
    return {
      unchanged: results.flatMap(({ host, r }) => names(host, r.unchanged)),
      changed: results.flatMap(({ host, r }) => names(host, r.changed)),
      removed: results.flatMap(({ host, r }) => names(host, r.removed)),
      added: results.flatMap(({ host, r }) => names(host, r.added)),
      restarted: results.flatMap(({ host, r }) => outcomes(host, r.restarted)),
      stopped: results.flatMap(({ host, r }) => outcomes(host, r.stopped)),
      started: results.flatMap(({ host, r }) => outcomes(host, r.started)),
    };
  }

  /** The picker is off with several hosts (the TUI is given no backend control): each box has its own chat app. */
  backendReport(): Promise<BackendReport> {
    return Promise.reject(ONE_HOST_BACKEND);
  }

  backendSwitch(): Promise<SwitchResult> {
    return Promise.reject(ONE_HOST_BACKEND);
  }

  stackConfig(): Promise<StackConfig> {
    return Promise.reject(new LlamaTopError('USAGE', 'several hosts have several configs'));
  }

  onDisconnect(): void {
    // each host reconnects on its own: the whole never disconnects
  }

  close(): void {
    this.closed = true;
    for (const m of this.members) {
      if (m.retry) clearTimeout(m.retry);
      m.api?.close();
      m.api = null;
    }
  }
}
