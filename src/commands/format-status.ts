import { formatBytes, formatDuration } from '../config/durations.js';
import { serverKind } from '../kinds/index.js';
import type { DaemonInfo, DrainOutcome, ServiceStatus, StartOutcome } from '../protocol/messages.js';
import type { ServeEndpointInfo } from '../protocol/status.js';

export const GLYPH: Record<string, string> = {
  ready: '●', starting: '◐', unhealthy: '▲', crashed: '✗', draining: '◑', stopping: '◌', stopped: '○', error: '✗', external: '◆',
};

const requests = (n: number) => `${n} request${n === 1 ? '' : 's'}`;

/** While it drains: "waiting for 2 requests in flight (cut in 27s)" ("counting …" before the first count), else null. Pure. */
export function drainWait(s: ServiceStatus, now = Date.now()): string | null {
  if (s.state !== 'draining' || !s.drain) return null;
  const left = Math.max(0, Math.ceil((Date.parse(s.drain.cutAt) - now) / 1000));
  return `${s.drain.inFlight === 0 ? 'counting the requests in flight' : `waiting for ${requests(s.drain.inFlight)} in flight`} (cut in ${left}s)`;
}

/** "retry 2/5 in 4s" for a crashed service waiting out its backoff, else null. Pure. */
export function retryCountdown(s: ServiceStatus, now = Date.now()): string | null {
  if (s.state !== 'crashed' || !s.nextRetryAt) return null;
  return `retry ${s.retries}/${s.maxRetries} in ${Math.max(0, Math.ceil((Date.parse(s.nextRetryAt) - now) / 1000))}s`;
}

/** ": <last error>" for a service in trouble (crashed, error, unhealthy), else nothing. Pure. */
export function troubleSuffix(s: ServiceStatus): string {
  return s.lastError && ['crashed', 'error', 'unhealthy'].includes(s.state) ? `: ${s.lastError}` : '';
}

/** The state word a person reads: "loading model", "crashed (retry 2/5 in 4s)". Pure. */
export function stateLabel(s: ServiceStatus, now = Date.now()): string {
  const retry = retryCountdown(s, now);
  if (retry) return `${s.detail ?? 'crashed'} (${retry})`;
  if (s.state === 'starting' && s.detail) return s.detail;
  if (s.state === 'stopping' && s.detail) return s.detail;
  if (s.state === 'draining') return `draining (${s.drain?.inFlight ?? 0} in flight)`;
  // Stopped on purpose (idle, swapped out), or not started yet and the serve endpoint starts it at its next request:
  // the reason, so that it does not read like a failure.
  if (s.state === 'stopped' && s.stopReason) return `stopped · ${s.stopReason}`;
  if (s.state === 'stopped' && s.serve) return 'stopped · on demand';
  if (s.state === 'error' && s.detail) return s.detail;
  return s.state;
}

/** Left until `iso`, as `4m`, `35s`. Pure. */
const leftUntil = (iso: string, now: number) => {
  const s = Math.max(0, Math.ceil((Date.parse(iso) - now) / 1000));
  return s >= 120 ? `${Math.round(s / 60)}m` : `${s}s`;
};

/**
 * What the serve endpoint says of a service: its queue (`2 waiting`, or on the member that runs, `2 waiting for
 * beta`), its requests in flight, when its idle stop will stop it. '' without one. Pure.
 */
export function serveNote(s: ServiceStatus, services: ServiceStatus[], now = Date.now()): string {
  if (!s.serve) return '';
  const parts: string[] = [];
  if (s.serve.waiting > 0) parts.push(`${s.serve.waiting} waiting`);
  if (s.serve.group && s.state !== 'stopped')
    for (const other of services)
      if (other.name !== s.name && other.serve?.group === s.serve.group && other.serve.waiting > 0) parts.push(`${other.serve.waiting} waiting for ${other.name}`);
  if (s.serve.inFlight > 0) parts.push(`${s.serve.inFlight} in flight`);
  if (s.serve.idleStopAt && s.state === 'ready') parts.push(`idle stop in ${leftUntil(s.serve.idleStopAt, now)}${s.serve.idleStopBy === 'keep_alive' ? ' (keep_alive)' : ''}`);
  return parts.join(', ');
}

/** What an LLM server is doing ("42.1 tok/s · 38.5 tok/s per request · 1/4 slots busy"), as its kind tells. Pure. */
export function llmSummary(s: ServiceStatus, now = Date.now()): string {
  return s.llm ? (serverKind(s.kind)?.summary(s, now, false) ?? '') : '';
}

export function formatStatusTable(services: ServiceStatus[], now = Date.now()): string {
  const gpu = services.some((s) => s.gpuMemoryBytes !== null);
  const serve = services.some((s) => s.serve);
  const header = ['', 'SERVICE', 'KIND', 'STATE', 'PID', 'PORT', 'CPU', 'MEM', ...(gpu ? ['GPU MEM'] : []), 'UPTIME', 'RESTARTS', ...(serve ? ['SERVE'] : []), 'LLM'];
  const rows = services.map((s) => [
    GLYPH[s.state] ?? '?',
    s.name,
    s.kind,
    stateLabel(s, now),
    s.pid === null ? '-' : String(s.pid),
    s.port === null ? '-' : String(s.port),
    s.cpuPercent === null ? '-' : `${s.cpuPercent.toFixed(1)}%`,
    s.memoryBytes === null ? '-' : formatBytes(s.memoryBytes),
    ...(gpu ? [s.gpuMemoryBytes === null ? '-' : formatBytes(s.gpuMemoryBytes)] : []),
    s.uptimeSeconds === null ? '-' : formatDuration(s.uptimeSeconds * 1000),
    String(s.restarts),
    ...(serve ? [serveNote(s, services, now) || '-'] : []),
    llmSummary(s, now),
  ]);
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i]!.length)));
  const line = (cells: string[]) => cells.map((c, i) => c.padEnd(widths[i]!)).join('  ').trimEnd();
  const errors = services
    .filter((s) => s.lastError && s.state !== 'ready' && s.state !== 'stopped')
    .map((s) => `  ${s.name}: ${s.lastError}`);
  return [line(header), ...rows.map(line), ...(errors.length ? ['', 'last errors:', ...errors] : [])].join('\n');
}

/** "✓ llama ready in 3.2s (pid 812, port 8080)"; a service that was running already says so, and for how long. */
export function formatOutcome(o: StartOutcome, verb: string, status?: ServiceStatus, alreadyRunning = false): string {
  if (o.ok) {
    const up = alreadyRunning && status?.uptimeSeconds != null ? `, up ${formatDuration(status.uptimeSeconds * 1000)}` : '';
    const where = status ? ` (pid ${status.pid ?? '-'}${status.port ? `, port ${status.port}` : ''}${status.state === 'external' ? ', external' : ''}${up})` : '';
    if (alreadyRunning) return `✓ ${o.name} already running${where}`;
    return `✓ ${o.name} ${verb} in ${(o.elapsedMs / 1000).toFixed(1)}s${where}${o.drain ? formatDrainOutcome(o.drain) : ''}`;
  }
  return `✗ ${o.name}: ${o.error ?? o.state}`;
}

/**
 * What a stop's drain did, after the ✓: " (drained 2 in 1.2s)", " · 1 request cut after drainTimeout 30s",
 * " · drained 2 in 30.0s, 1 request cut after drainTimeout 30s", " · 1 request cut (--now)". Pure.
 */
export function formatDrainOutcome(d: DrainOutcome): string {
  const drained = d.drained > 0 ? `drained ${d.drained} in ${(d.ms / 1000).toFixed(1)}s` : '';
  if (d.cutBy === null || d.cut === 0) return drained ? ` (${drained})` : '';
  const what = d.cut === null ? 'the requests in flight (not counted)' : requests(d.cut);
  const by = d.cutBy === 'drainTimeout' ? `after drainTimeout ${d.timeoutMs === null ? '' : formatDuration(d.timeoutMs)}`.trimEnd() : `(--${d.cutBy})`;
  return ` · ${drained ? `${drained}, ` : ''}${what} cut ${by}`;
}

/** The line above the status table with `serve:`: "serving on http://127.0.0.1:8080/v1 · 3 models". Pure. */
export function formatServeHeader(serve: ServeEndpointInfo): string {
  if (!serve.url) return `serve endpoint not listening: ${serve.error ?? 'see the daemon log'}`;
  return `serving on ${serve.url}/v1 · ${serve.models} model${serve.models === 1 ? '' : 's'}`;
}

export function formatDaemonInfo(info: DaemonInfo): string {
  if (!info.running) {
    const unsupervised = info.unsupervised?.length
      ? `\n  running unsupervised: ${info.unsupervised.join(', ')} (llama-top start or llama-top status re-adopts them; llama-top stop stops them)`
      : '';
    return `daemon: not running\n  socket: ${info.socket}\n  state:  ${info.stateDir}${unsupervised}`;
  }
  return [
    `daemon: running, pid ${info.pid}, up ${formatDuration((info.uptimeSeconds ?? 0) * 1000)}`,
    `  config: ${info.configFile}`,
    `  socket: ${info.socket}`,
    `  state:  ${info.stateDir}`,
    ...(info.serve ? [`  serve:  ${info.serve.url ? `${info.serve.url}/v1` : `not listening: ${info.serve.error ?? 'see the daemon log'}`}`] : []),
  ].join('\n');
}
