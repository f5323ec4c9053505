import fs from 'node:fs';
import { ProcTable } from './proc-table.js';
import { socketInodes, socketRows } from './ports.js';

/**
 * The TCP ports that `pid` or any of its descendants listens on, ascending; null where it cannot be told (no /proc,
 * or its sockets are not ours to read).
 */
export function listeningPortsOf(pid: number): number[] | null {
  if (!fs.existsSync('/proc/net/tcp')) return null;
  const tree = ProcTable.read().tree(pid);
  if (tree.length === 0) return null;
  const inodes = new Set<number>();
  for (const p of tree) for (const inode of socketInodes(p)) inodes.add(inode);
  const ports = new Set<number>();
  for (const file of ['/proc/net/tcp', '/proc/net/tcp6']) {
    try {
      for (const row of socketRows(fs.readFileSync(file, 'utf8'))) if (row.state === '0A' && inodes.has(row.inode)) ports.add(row.localPort);
    } catch {
      // no IPv6
    }
  }
  return [...ports].sort((a, b) => a - b);
}
