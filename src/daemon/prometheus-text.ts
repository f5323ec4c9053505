import type { ServiceStatus } from '../protocol/messages.js';

/** Every state a service can be in, for the one-hot `llama_top_service_state` gauge. */
const STATES = ['stopped', 'starting', 'ready', 'unhealthy', 'crashed', 'draining', 'stopping', 'error', 'external'] as const;

/** A label value as the text format wants it: backslash, double quote and newline escaped. Pure. */
export const labelValue = (value: string) => value.replace(/\\/g, '\\\\').replace(/"/g, '\\"').replace(/\n/g, '\\n');

interface Family {
  name: string;
  help: string;
  type: 'gauge' | 'counter';
  value: (s: ServiceStatus) => number | null;
}

const FAMILIES: Family[] = [
  { name: 'llama_top_service_up', help: '1 when the service is ready (or an adopted external server), else 0.', type: 'gauge', value: (s) => (s.state === 'ready' || s.state === 'external' ? 1 : 0) },
  { name: 'llama_top_service_restarts_total', help: 'Restarts after a crash or a failed health check since the daemon started.', type: 'counter', value: (s) => s.restarts },
  { name: 'llama_top_service_cpu_seconds_total', help: "CPU time of the service's live process tree.", type: 'counter', value: (s) => s.cpuSeconds ?? null },
  { name: 'llama_top_service_cpu_percent', help: "CPU use of the service's process tree over the last sample, % of one core.", type: 'gauge', value: (s) => s.cpuPercent },
  { name: 'llama_top_service_memory_bytes', help: "Resident memory of the service's process tree.", type: 'gauge', value: (s) => s.memoryBytes },
  { name: 'llama_top_service_uptime_seconds', help: 'Seconds since the service was started.', type: 'gauge', value: (s) => s.uptimeSeconds },
  { name: 'llama_top_service_gpu_memory_bytes', help: "GPU memory of the service's process tree (nvidia-smi).", type: 'gauge', value: (s) => s.gpuMemoryBytes },
  {
    name: 'llama_top_llm_inference_ok',
    help: 'The last inference liveness check: 1 it generated (or answered a 1-token request), 0 it stalled; absent when there was none or it could not tell.',
    type: 'gauge',
    value: (s) => (s.inference?.result === 'ok' ? 1 : s.inference?.result === 'fail' ? 0 : null),
  },
  { name: 'llama_top_llm_generation_tokens_per_second', help: 'Tokens generated per second, all requests together, over the last sample (ollama: estimated from its runners\' writes, one per token).', type: 'gauge', value: (s) => s.llm?.generationTokensPerSecond ?? null },
  { name: 'llama_top_llm_prompt_tokens_per_second', help: 'Prompt tokens processed per second over the last sample.', type: 'gauge', value: (s) => s.llm?.promptTokensPerSecond ?? null },
  { name: 'llama_top_llm_requests_processing', help: 'Requests being processed now.', type: 'gauge', value: (s) => s.llm?.requestsProcessing ?? null },
  { name: 'llama_top_llm_requests_deferred', help: 'Requests waiting for a free slot.', type: 'gauge', value: (s) => s.llm?.requestsDeferred ?? null },
  { name: 'llama_top_llm_slots_busy', help: 'Slots (parallel sequences) busy now.', type: 'gauge', value: (s) => s.llm?.slotsBusy ?? null },
  { name: 'llama_top_llm_slots_total', help: 'Slots (parallel sequences) of the server.', type: 'gauge', value: (s) => s.llm?.slotsTotal ?? null },
];

const number = (v: number) => (Number.isFinite(v) ? String(v) : v > 0 ? '+Inf' : v < 0 ? '-Inf' : 'NaN');

/**
 * The stack in the Prometheus text exposition format 0.0.4: one family per figure, labelled service, kind and
 * stack; a figure a service does not have (no GPU, not an LLM server) is left out rather than written as 0. Pure.
 */
export function prometheusText(stack: string, services: ServiceStatus[]): string {
  const labels = (s: ServiceStatus, extra = '') => `{service="${labelValue(s.name)}",kind="${labelValue(s.kind)}",stack="${labelValue(stack)}"${extra}}`;
  const out: string[] = [];
  for (const family of FAMILIES) {
    const samples = services.flatMap((s) => {
      const v = family.value(s);
      return v === null || v === undefined ? [] : [`${family.name}${labels(s)} ${number(v)}`];
    });
    if (samples.length === 0) continue;
    out.push(`# HELP ${family.name} ${family.help}`, `# TYPE ${family.name} ${family.type}`, ...samples);
  }
  out.push('# HELP llama_top_service_state 1 for the state the service is in, 0 for the others.', '# TYPE llama_top_service_state gauge');
  for (const s of services) for (const state of STATES) out.push(`llama_top_service_state${labels(s, `,state="${state}"`)} ${s.state === state ? 1 : 0}`);
  return `${out.join('\n')}\n`;
}
