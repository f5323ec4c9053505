import { ProcTable } from './proc-table.js';

/**
 * Pids llama-top never adopts or signals, whatever a state file says: 0 and 1, ourselves, and our ancestors
 * (a forged state naming them would otherwise make `stop` signal the shell, the session or the whole namespace).
 */
export function protectedPids(table: ProcTable = ProcTable.read(), self = process.pid): Set<number> {
  const out = new Set<number>([0, 1, self]);
  for (let pid: number | undefined = self; pid !== undefined && pid > 1; ) {
    const parent: number | undefined = table.byPid.get(pid)?.ppid;
    if (parent === undefined || out.has(parent)) break;
    out.add(parent);
    pid = parent;
  }
  return out;
}

export const isProtectedPid = (pid: number, table?: ProcTable) => pid <= 1 || protectedPids(table).has(pid);
