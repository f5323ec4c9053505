import { labelValue } from '../daemon/prometheus-text.js';
import type { ServedRequest } from './gateway.js';

/** Bucket bounds in seconds: from a pass-through (ms) to a cold start of a big model (minutes). */
const BUCKETS = [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 120, 300];

class Histogram {
  readonly counts = BUCKETS.map(() => 0);
  sum = 0;
  count = 0;
  observe(seconds: number): void {
    this.sum += seconds;
    this.count++;
    BUCKETS.forEach((bound, i) => {
      if (seconds <= bound) this.counts[i]!++;
    });
  }
}

const fmt = (n: number) => (Number.isInteger(n) ? String(n) : n.toFixed(6).replace(/0+$/, ''));

/** The endpoint's figures for `/metrics`: requests by model, service and code; durations; waits; queues; cold starts. */
export class ServeMetrics {
  private readonly requests = new Map<string, number>();
  private readonly durations = new Map<string, Histogram>();
  private readonly waits = new Map<string, Histogram>();
  private readonly coldStarts = new Map<string, number>();

  /** A request that ended (`service` '-' when none was chosen: 400, 404, 401). */
  record(r: Pick<ServedRequest, 'model' | 'service' | 'outcome' | 'durationMs' | 'waitedMs' | 'coldStart'>): void {
    // A request no service took (404, 400, 401) is counted under model="-": a client sending random names must not
    // grow /metrics by a series each.
    const model = r.service === '-' ? '-' : r.model;
    const key = `model="${labelValue(model)}",service="${labelValue(r.service)}",code="${r.outcome.status}"`;
    this.requests.set(key, (this.requests.get(key) ?? 0) + 1);
    const svc = `service="${labelValue(r.service)}"`;
    if (r.service !== '-') {
      this.histogram(this.durations, svc).observe(r.durationMs / 1000);
      this.histogram(this.waits, svc).observe(r.waitedMs / 1000);
    }
    if (r.coldStart) this.coldStarts.set(svc, (this.coldStarts.get(svc) ?? 0) + 1);
  }

  private histogram(map: Map<string, Histogram>, key: string): Histogram {
    let h = map.get(key);
    if (!h) map.set(key, (h = new Histogram()));
    return h;
  }

  /** Prometheus text 0.0.4, the stack label on every sample. Pure over the figures so far. */
  text(stack: string, queues: Array<{ group: string; depth: number }>): string {
    const st = `stack="${labelValue(stack)}"`;
    const out: string[] = [];
    out.push('# HELP llama_top_serve_requests_total Requests through the serve endpoint, by model, service and HTTP status.', '# TYPE llama_top_serve_requests_total counter');
    for (const [labels, n] of this.requests) out.push(`llama_top_serve_requests_total{${labels},${st}} ${n}`);
    const histogram = (name: string, help: string, map: Map<string, Histogram>) => {
      out.push(`# HELP ${name} ${help}`, `# TYPE ${name} histogram`);
      for (const [labels, h] of map) {
        BUCKETS.forEach((bound, i) => out.push(`${name}_bucket{${labels},${st},le="${bound}"} ${h.counts[i]}`));
        out.push(`${name}_bucket{${labels},${st},le="+Inf"} ${h.count}`, `${name}_sum{${labels},${st}} ${fmt(h.sum)}`, `${name}_count{${labels},${st}} ${h.count}`);
      }
    };
    histogram('llama_top_serve_request_seconds', 'Time from a request\'s arrival to the end of its answer (waits included).', this.durations);
    histogram('llama_top_serve_wait_seconds', 'Time a request waited for its service to start or be swapped in (0 when it was ready).', this.waits);
    out.push('# HELP llama_top_serve_queue_depth Requests waiting for a start or a swap, per group (a service without a group is one of its own).', '# TYPE llama_top_serve_queue_depth gauge');
    for (const q of queues) out.push(`llama_top_serve_queue_depth{group="${labelValue(q.group)}",${st}} ${q.depth}`);
    out.push('# HELP llama_top_serve_cold_starts_total Starts of a service caused by a request through the endpoint.', '# TYPE llama_top_serve_cold_starts_total counter');
    for (const [labels, n] of this.coldStarts) out.push(`llama_top_serve_cold_starts_total{${labels},${st}} ${n}`);
    return `${out.join('\n')}\n`;
  }
}
