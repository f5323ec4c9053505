import type { DaemonApi } from '../../src/protocol/daemon-api.js';
import type { DaemonInfo, Push, ServiceStatus, StartOutcome } from '../../src/protocol/messages.js';
import type { ParamsIn, RequestType, Result } from '../../src/protocol/requests.js';

export function service(name: string, patch: Partial<ServiceStatus> = {}): ServiceStatus {
  return {
    name, kind: 'llama-server', state: 'ready', detail: null, pid: 1234, host: '127.0.0.1', port: 8134, model: '/m/tiny.gguf',
    startedAt: new Date(0).toISOString(), uptimeSeconds: 65, restarts: 0, retries: 0, maxRetries: 5, nextRetryAt: null,
    exitCode: null, signal: null, lastError: null, lastErrorAt: null, cpuPercent: 12.5, memoryBytes: 50 * 1024 * 1024,
    processCount: 1, logDir: null, autostart: true, dependsOn: [], envOverride: null, llm: null, gpuMemoryBytes: null, ...patch,
  };
}

/** Records every call; answers like a daemon would. */
export class FakeDaemon implements DaemonApi {
  calls: Array<[string, ...unknown[]]> = [];
  private listeners = new Set<(p: Push) => void>();
  private disconnect: (() => void) | null = null;
  outcome: (name: string) => StartOutcome = (name) => ({ name, ok: true, state: 'ready', error: null, elapsedMs: 3200 });

  constructor(public services: ServiceStatus[]) {}

  async status() { return this.services; }
  /** The chat app's active backend the daemon reports (undefined: the config has no backend section). */
  activeBackend: string | null | undefined = undefined;
  async daemonInfo(): Promise<DaemonInfo> {
    return { running: true, pid: 999, socket: '/s', stateDir: '/d', configFile: '/c', name: 'x', uptimeSeconds: 42, version: '0', ...(this.activeBackend === undefined ? {} : { backend: this.activeBackend }) };
  }
  async stackConfig() {
    return { name: 'fake', file: '/c/llama-top.yaml', services: this.services.map((s) => ({ name: s.name, autostart: s.autostart })) } as never;
  }
  reloadResult = { unchanged: [], stopped: [], restarted: [{ name: 'llama', ok: true, state: 'ready' as const, error: null, elapsedMs: 900 }], changed: [], removed: [], added: [], started: [] };
  async reload(config: unknown) {
    this.calls.push(['reload', config]);
    return this.reloadResult;
  }
  async start(names: string[], wait: boolean) { this.calls.push(['start', names, wait]); return names.map(this.outcome); }
  async restart(names: string[], wait: boolean) { this.calls.push(['restart', names, wait]); return names.map(this.outcome); }
  async stop(names: string[], force: boolean) {
    this.calls.push(['stop', names, force]);
    return (names.length ? names : this.services.map((s) => s.name)).map((name) => ({ name, ok: true, state: 'stopped' as const, error: null, elapsedMs: 100 }));
  }
  async stopDaemon() {}
  async setEnv() {}
  backendEntries = [
    { name: 'llamacpp', service: 'llama', healthy: true, reason: null, active: true },
    { name: 'ollama', service: 'ollama', healthy: false, reason: 'service ollama is stopped', active: false },
  ];
  /** Log lines per service, as the daemon would read them from its chunk files. */
  logs: Record<string, string[]> = {};
  async logTail(name: string, lines: number, mark: string | null) {
    const all = this.logs[name] ?? [];
    const next = `${all.length}:${lines}`;
    return next === mark ? { mark: next, lines: null } : { mark: next, lines: all.slice(-lines) };
  }
  async backendReport(only: string | undefined) {
    this.calls.push(['backendReport', only]);
    return { active: 'llamacpp', app: 'chat', backends: this.backendEntries.filter((b) => !only || b.name === only) };
  }
  async backendSwitch(name: string, force: boolean) {
    this.calls.push(['backendSwitch', name, force]);
    return { from: 'llamacpp', to: name, changed: true, stopped: null, elapsedMs: 1200 };
  }
  async subscribe(onPush: (p: Push) => void) {
    this.listeners.add(onPush);
    onPush({ push: 'snapshot', services: this.services });
    return () => this.listeners.delete(onPush);
  }
  /** The TUI asks through the named wrappers; a request it sends by type is recorded and refused, so a test notices. */
  async call<K extends RequestType>(type: K, params: ParamsIn<K>): Promise<Result<K>> {
    this.calls.push(['call', type, params]);
    throw new Error(`FakeDaemon: call('${type}') is not faked; add it here`);
  }
  onDisconnect(listener: () => void) { this.disconnect = listener; }
  close() {}
  push(p: Push) { for (const l of this.listeners) l(p); }
  drop() { this.disconnect?.(); }
}
