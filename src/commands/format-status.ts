import { formatBytes, formatDuration } from '../config/durations.js';
import type { DaemonInfo, ServiceStatus, StartOutcome } from '../protocol/messages.js';

const GLYPH: Record<string, string> = {
  ready: '●', starting: '◐', unhealthy: '▲', crashed: '✗', stopping: '◌', stopped: '○', error: '✗', external: '◆',
};

/** The state word a person reads: "loading model", "crashed (retry 2/5 in 4s)". Pure. */
export function stateLabel(s: ServiceStatus, now = Date.now()): string {
  if (s.state === 'crashed' && s.nextRetryAt) {
    const inSeconds = Math.max(0, Math.ceil((Date.parse(s.nextRetryAt) - now) / 1000));
    return `crashed (retry ${s.retries}/${s.maxRetries} in ${inSeconds}s)`;
  }
  if (s.state === 'starting' && s.detail) return s.detail;
  if (s.state === 'stopping' && s.detail) return s.detail;
  return s.state;
}

export function formatStatusTable(services: ServiceStatus[], now = Date.now()): string {
  const header = ['', 'SERVICE', 'KIND', 'STATE', 'PID', 'PORT', 'CPU', 'MEM', 'UPTIME', 'RESTARTS'];
  const rows = services.map((s) => [
    GLYPH[s.state] ?? '?',
    s.name,
    s.kind,
    stateLabel(s, now),
    s.pid === null ? '-' : String(s.pid),
    s.port === null ? '-' : String(s.port),
    s.cpuPercent === null ? '-' : `${s.cpuPercent.toFixed(1)}%`,
    s.memoryBytes === null ? '-' : formatBytes(s.memoryBytes),
    s.uptimeSeconds === null ? '-' : formatDuration(s.uptimeSeconds * 1000),
    String(s.restarts),
  ]);
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i]!.length)));
  const line = (cells: string[]) => cells.map((c, i) => c.padEnd(widths[i]!)).join('  ').trimEnd();
  const errors = services
    .filter((s) => s.lastError && s.state !== 'ready' && s.state !== 'stopped')
    .map((s) => `  ${s.name}: ${s.lastError}`);
  return [line(header), ...rows.map(line), ...(errors.length ? ['', 'last errors:', ...errors] : [])].join('\n');
}

export function formatOutcome(o: StartOutcome, verb: string, status?: ServiceStatus): string {
  if (o.ok) {
    const where = status ? ` (pid ${status.pid ?? '-'}${status.port ? `, port ${status.port}` : ''}${status.state === 'external' ? ', external' : ''})` : '';
    return `✓ ${o.name} ${verb} in ${(o.elapsedMs / 1000).toFixed(1)}s${where}`;
  }
  return `✗ ${o.name}: ${o.error ?? o.state}`;
}

export function formatDaemonInfo(info: DaemonInfo): string {
  if (!info.running) return `daemon: not running\n  socket: ${info.socket}\n  state:  ${info.stateDir}`;
  return [
    `daemon: running, pid ${info.pid}, up ${formatDuration((info.uptimeSeconds ?? 0) * 1000)}`,
    `  config: ${info.configFile}`,
    `  socket: ${info.socket}`,
    `  state:  ${info.stateDir}`,
  ].join('\n');
}
