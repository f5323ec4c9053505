import { execFileSync } from 'node:child_process';
import type { ProcessIdentity } from './identity.js';
import { liveTree } from './kill-tree.js';
import type { ProcTable } from './proc-table.js';

export interface TreeUsage {
  cpuPercent: number;
  /** CPU time of the live tree's processes (what exited is not counted). */
  cpuSeconds: number;
  memoryBytes: number;
  processCount: number;
  pids: number[];
}

function sysconf(name: string, fallback: number): number {
  try {
    return Number(execFileSync('getconf', [name], { encoding: 'utf8' }).trim()) || fallback;
  } catch {
    return fallback;
  }
}

let ticksPerSecond: number | null = null;
/** The kernel's clock ticks per second (CPU times in /proc are in ticks). */
export function clockTicksPerSecond(): number {
  ticksPerSecond ??= process.platform === 'linux' ? sysconf('CLK_TCK', 100) : 100;
  return ticksPerSecond;
}

/**
 * CPU and memory of whole process trees. On Linux one /proc pass per sample serves every service
 * (sampling per process is what made process-compose burn a core); elsewhere pidusage.
 */
export class TreeMetrics {
  private readonly clockTicks = clockTicksPerSecond();
  private readonly pageSize = process.platform === 'linux' ? sysconf('PAGESIZE', 4096) : 4096;
  private previous = new Map<string, { ticks: number; at: number }>();

  /** `pidsOf`: every process of a service (its jail's too); by default its process tree. */
  async sample(targets: Map<string, ProcessIdentity>, table: ProcTable | null, pidsOf?: (name: string) => number[]): Promise<Map<string, TreeUsage>> {
    const out = new Map<string, TreeUsage>();
    if (!table) return out;
    if (process.platform !== 'linux') return this.samplePidusage(targets, table);
    const members = (name: string, identity: ProcessIdentity) => (pidsOf ? pidsOf(name) : liveTree(identity, table)).filter((pid) => table.byPid.has(pid));
    const now = performance.now();
    const next = new Map<string, { ticks: number; at: number }>();
    for (const [name, identity] of targets) {
      const pids = members(name, identity);
      let ticks = 0;
      let pages = 0;
      for (const pid of pids) {
        const stat = table.byPid.get(pid)!;
        ticks += stat.cpuTicks;
        pages += stat.rssPages;
      }
      const key = `${name}:${identity.pid}`;
      const prev = this.previous.get(key);
      next.set(key, { ticks, at: now });
      const seconds = prev ? (now - prev.at) / 1000 : 0;
      const cpuPercent = prev && seconds > 0 ? Math.max(0, ((ticks - prev.ticks) / this.clockTicks / seconds) * 100) : 0;
      out.set(name, { cpuPercent: Math.round(cpuPercent * 10) / 10, cpuSeconds: ticks / this.clockTicks, memoryBytes: pages * this.pageSize, processCount: pids.length, pids });
    }
    this.previous = next;
    return out;
  }

  /** Off Linux: the trees come from `ps`, their CPU and memory from pidusage over every pid of each tree. */
  private async samplePidusage(targets: Map<string, ProcessIdentity>, table: ProcTable): Promise<Map<string, TreeUsage>> {
    const { default: pidusage } = await import('pidusage');
    const out = new Map<string, TreeUsage>();
    for (const [name, identity] of targets) {
      const pids = liveTree(identity, table);
      if (pids.length === 0) continue;
      try {
        const usage = await pidusage(pids);
        const all = Object.values(usage).filter(Boolean);
        out.set(name, {
          cpuPercent: Math.round(all.reduce((sum, u) => sum + u.cpu, 0) * 10) / 10,
          cpuSeconds: all.reduce((sum, u) => sum + u.ctime, 0) / 1000,
          memoryBytes: all.reduce((sum, u) => sum + u.memory, 0),
          processCount: pids.length,
          pids,
        });
      } catch {
        // the tree changed under us; the next sample will do
      }
    }
    return out;
  }
}
