import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import net from 'node:net';
import { EXITING, processName, readProcStat } from './proc-table.js';

export interface PortHolder {
  pid: number | null;
  program: string | null;
}

interface SocketRow {
  /** This end, as the kernel writes it (hex address:port). */
  local: string;
  localPort: number;
  /** The other end, as the kernel writes it (hex address:port). */
  remote: string;
  /** 0A: LISTEN, 01: ESTABLISHED. */
  state: string;
  inode: number;
}

/** Parses /proc/net/tcp{,6} text. Pure. */
export function socketRows(procNetTcp: string): SocketRow[] {
  const rows: SocketRow[] = [];
  for (const line of procNetTcp.split('\n').slice(1)) {
    const cols = line.trim().split(/\s+/);
    if (cols.length < 10) continue;
    rows.push({ local: cols[1]!, localPort: parseInt(cols[1]!.split(':').pop()!, 16), remote: cols[2]!, state: cols[3]!, inode: Number(cols[9]) });
  }
  return rows;
}

/** Inodes of sockets LISTENing on `port`, from /proc/net/tcp{,6} text. Pure. */
export function listeningInodes(procNetTcp: string, port: number): number[] {
  return socketRows(procNetTcp)
    .filter((r) => r.state === '0A' && r.localPort === port)
    .map((r) => r.inode);
}

/**
 * The clients connected to a server on `port` (their address:port), from /proc/net/tcp{,6} text, but for the
 * connections whose client end is one of `ownInodes` (this process's sockets). Pure.
 */
export function connectedClients(procNetTcp: string, port: number, ownInodes: Set<number> = new Set()): string[] {
  const rows = socketRows(procNetTcp);
  const ownEnds = new Set(rows.filter((r) => ownInodes.has(r.inode)).map((r) => r.local));
  return rows.filter((r) => r.state === '01' && r.localPort === port && !ownEnds.has(r.remote)).map((r) => r.remote);
}

/** Inodes of the sockets process `pid` ('self' for this one) holds; empty when it is gone or not ours to read. */
export function socketInodes(pid: number | 'self' | `${number}/task/${string}`): Set<number> {
  const out = new Set<number>();
  let fds: string[];
  try {
    fds = fs.readdirSync(`/proc/${pid}/fd`);
  } catch {
    return out;
  }
  for (const fd of fds) {
    try {
      const m = /^socket:\[(\d+)\]$/.exec(fs.readlinkSync(`/proc/${pid}/fd/${fd}`));
      if (m) out.add(Number(m[1]));
    } catch {
      // closed meanwhile
    }
  }
  return out;
}

/**
 * The clients connected to `port` on this machine now (any address), llama-top's own connections left out; null
 * where there is no /proc/net/tcp.
 */
export function clientsOf(port: number): Set<string> | null {
  if (!fs.existsSync('/proc/net/tcp')) return null;
  const own = socketInodes('self');
  const out = new Set<string>();
  for (const file of ['/proc/net/tcp', '/proc/net/tcp6']) {
    try {
      for (const remote of connectedClients(fs.readFileSync(file, 'utf8'), port, own)) out.add(remote);
    } catch {
      // no IPv6
    }
  }
  return out;
}

/**
 * The sockets of a process whose leader thread has exited while others still run (its fd table is read through
 * one of those threads: the leader's own /proc/PID/fd is empty then).
 */
function exitingSocketInodes(pid: number): Set<number> {
  if (readProcStat(pid)?.state !== EXITING) return new Set();
  for (const tid of fs.readdirSync(`/proc/${pid}/task`, { withFileTypes: false }).filter((t) => t !== String(pid))) {
    const inodes = socketInodes(`${pid}/task/${tid}`);
    if (inodes.size) return inodes;
  }
  return new Set();
}

function socketOwners(inodes: Set<number>): number[] {
  const owners: number[] = [];
  for (const entry of fs.readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    const own = socketInodes(Number(entry));
    for (const inode of own.size ? own : exitingSocketInodes(Number(entry)))
      if (inodes.has(inode)) {
        owners.push(Number(entry));
        break;
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
  if (holder.pid === null) return `port ${port} is in use by a process llama-top cannot see (another user's, or outside this pid namespace)`;
  return `port ${port} is in use by pid ${holder.pid} (${holder.program ?? 'unknown'})`;
}
