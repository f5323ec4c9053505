import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import net from 'node:net';
import { processName } from './proc-table.js';

export interface PortHolder {
  pid: number | null;
  program: string | null;
}

/** Parses /proc/net/tcp{,6} text: inodes of sockets LISTENing on `port`. Pure. */
export function listeningInodes(procNetTcp: string, port: number): number[] {
  const inodes: number[] = [];
  for (const line of procNetTcp.split('\n').slice(1)) {
    const cols = line.trim().split(/\s+/);
    if (cols.length < 10 || cols[3] !== '0A') continue;
    const localPort = parseInt(cols[1]!.split(':').pop()!, 16);
    if (localPort === port) inodes.push(Number(cols[9]));
  }
  return inodes;
}

function socketOwners(inodes: Set<number>): number[] {
  const owners: number[] = [];
  for (const entry of fs.readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    let fds: string[];
    try {
      fds = fs.readdirSync(`/proc/${entry}/fd`);
    } catch {
      continue;
    }
    for (const fd of fds) {
      let target: string;
      try {
        target = fs.readlinkSync(`/proc/${entry}/fd/${fd}`);
      } catch {
        continue;
      }
      const m = /^socket:\[(\d+)\]$/.exec(target);
      if (m && inodes.has(Number(m[1]))) {
        owners.push(Number(entry));
        break;
      }
    }
  }
  return owners;
}

/** Who listens on `port` (any address), or null when nobody does. */
export async function findPortHolder(port: number, host = '127.0.0.1'): Promise<PortHolder | null> {
  const inodes = new Set<number>();
  for (const file of ['/proc/net/tcp', '/proc/net/tcp6']) {
    try {
      for (const inode of listeningInodes(fs.readFileSync(file, 'utf8'), port)) inodes.add(inode);
    } catch {
      // not Linux, or no IPv6
    }
  }
  if (inodes.size > 0) {
    const pid = socketOwners(inodes).sort((a, b) => a - b)[0] ?? null;
    return { pid, program: pid === null ? null : processName(pid) };
  }
  if (!fs.existsSync('/proc/net/tcp')) {
    const pid = lsofListener(port); // macOS: no /proc
    if (pid !== null) return { pid, program: processName(pid) };
  }
  return (await canConnect(host, port)) ? { pid: null, program: null } : null;
}

function lsofListener(port: number): number | null {
  try {
    const out = execFileSync('lsof', ['-nP', `-iTCP:${port}`, '-sTCP:LISTEN', '-t'], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] });
    const pids = out.split('\n').map(Number).filter((n) => Number.isInteger(n) && n > 0);
    return pids.length ? Math.min(...pids) : null;
  } catch {
    return null;
  }
}

export function canConnect(host: string, port: number, timeoutMs = 1000): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = net.connect({ host, port });
    const done = (ok: boolean) => {
      socket.destroy();
      resolve(ok);
    };
    socket.setTimeout(timeoutMs, () => done(false));
    socket.once('connect', () => done(true));
    socket.once('error', () => done(false));
  });
}

export function describePortHolder(port: number, holder: PortHolder): string {
  if (holder.pid === null) return `port ${port} is in use by another process`;
  return `port ${port} is in use by pid ${holder.pid} (${holder.program ?? 'unknown'})`;
}
