import { serverKind } from '../kinds/index.js';
import type { LlmCounters, LlmStats } from '../models/llm-stats.js';
import { readGpuMemory } from '../process/gpu.js';
import type { TreeUsage } from '../process/tree-metrics.js';

export interface StatsTarget {
  name: string;
  kind: string;
  host: string;
  port: number | undefined;
  ready: boolean;
  /** The process llama-top started or adopted. */
  pid: number | null;
  /** The model file it serves; null when it has none of its own (llama-server's router mode). */
  model?: string | null;
}

/** LLM figures and GPU memory: asked of the servers only while someone looks, so an idle daemon stays idle. */
export class StatsSampler {
  readonly llm = new Map<string, LlmStats>();
  readonly gpu = new Map<string, number>();
  private readonly counters = new Map<string, LlmCounters>();
  /** Each server kind's notes on the run being sampled, by service; a new pid starts new notes. */
  private readonly notes = new Map<string, { pid: number | null; notes: Record<string, unknown> }>();
  private lastAt = 0;
  private inFlight: Promise<void> | null = null;

  /** Samples unless a sample younger than `maxAgeMs` exists; concurrent callers share one sample. */
  refresh(targets: StatsTarget[], usage: Map<string, TreeUsage>, maxAgeMs: number): Promise<void> {
    if (Date.now() - this.lastAt < maxAgeMs) return Promise.resolve();
    this.inFlight ??= this.sample(targets, usage).finally(() => {
      this.lastAt = Date.now();
      this.inFlight = null;
    });
    return this.inFlight;
  }

  private async sample(targets: StatsTarget[], usage: Map<string, TreeUsage>): Promise<void> {
    const [gpu] = await Promise.all([
      readGpuMemory(),
      ...targets.map(async (t) => {
        const server = serverKind(t.kind);
        if (!t.ready || t.port === undefined || !server) {
          this.llm.delete(t.name);
          this.counters.delete(t.name);
          this.notes.delete(t.name);
          return;
        }
        let run = this.notes.get(t.name);
        if (run?.pid !== t.pid) this.notes.set(t.name, (run = { pid: t.pid, notes: {} }));
        const target = { host: t.host, port: t.port, pids: () => usage.get(t.name)?.pids ?? [], pid: t.pid, model: t.model, notes: run.notes };
        const sampled = await server.sampleStats(target, this.counters.get(t.name) ?? null, Date.now());
        if (!sampled) {
          this.llm.delete(t.name); // no figures rather than old ones shown as now
          return;
        }
        this.llm.set(t.name, sampled.stats);
        if (sampled.counters) this.counters.set(t.name, sampled.counters);
      }),
    ]);
    this.gpu.clear();
    if (gpu)
      for (const [name, u] of usage) {
        const bytes = u.pids.reduce((sum, pid) => sum + (gpu.get(pid) ?? 0), 0);
        this.gpu.set(name, bytes);
      }
  }
}
