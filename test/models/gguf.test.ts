import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { formatParameters, readGguf } from '../../src/models/gguf.js';
import { llamaServerStats } from '../../src/kinds/llama-server.js';
import { ollamaStats } from '../../src/kinds/ollama.js';
import { vllmStats } from '../../src/kinds/vllm.js';
import { parsePrometheus } from '../../src/models/prometheus.js';
import { parseComputeApps } from '../../src/process/gpu.js';
import { TINY_GGUF } from '../helpers/stack.js';

const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'lt-gguf-'));

describe('readGguf', () => {
  it('reads the real tiny model without loading it', () => {
    const info = readGguf(TINY_GGUF);
    expect(info).toMatchObject({ version: 3, architecture: 'llama', name: 'tiny-llama-random', fileType: 'F16', contextLength: 512, tensorCount: 21, fileSize: 9246112 });
    expect(info.parameterCount).toBe(4178240);
    expect(formatParameters(info.parameterCount)).toBe('4.18M');
    expect(info.metadata['llama.block_count']).toBe(2);
  });

  it('reports a truncated file and a non-GGUF file as such', () => {
    const truncated = path.join(tmp, 'cut.gguf');
    fs.writeFileSync(truncated, fs.readFileSync(TINY_GGUF).subarray(0, 100_000));
    expect(() => readGguf(truncated)).toThrow(/cut\.gguf: truncated GGUF file/);
    const text = path.join(tmp, 'notes.gguf');
    fs.writeFileSync(text, 'hello, I am not a model');
    expect(() => readGguf(text)).toThrow(/notes\.gguf: not a GGUF file/);
    const empty = path.join(tmp, 'empty.gguf');
    fs.writeFileSync(empty, '');
    expect(() => readGguf(empty)).toThrow(/not a GGUF file/);
    expect(() => readGguf(path.join(tmp, 'missing.gguf'))).toThrow(/cannot open \(ENOENT\)/);
  });

  it('survives a damaged header (absurd lengths) with an error, not a crash or a huge allocation', () => {
    const bad = Buffer.from(fs.readFileSync(TINY_GGUF).subarray(0, 4096));
    bad.writeBigUInt64LE(0xffffffffffn, 24); // the first key's length
    const file = path.join(tmp, 'bad.gguf');
    fs.writeFileSync(file, bad);
    expect(() => readGguf(file)).toThrow(/damaged GGUF header/);
  });
});

describe('LLM stats', () => {
  const metrics = parsePrometheus(`# HELP llamacpp:prompt_tokens_total x
# TYPE llamacpp:prompt_tokens_total counter
llamacpp:prompt_tokens_total 100
llamacpp:tokens_predicted_total 40
llamacpp:requests_processing 1
llamacpp:requests_deferred 2
other{label="x"} 7
`);

  it('parses Prometheus text', () => {
    expect(metrics.get('llamacpp:prompt_tokens_total')).toBe(100);
    expect(metrics.get('other')).toBe(7);
  });

  it('computes token rates from counter deltas, and says when metrics are off', () => {
    const first = llamaServerStats(metrics, [{ is_processing: true }, { is_processing: false }], null, null, 1000);
    expect(first.stats).toMatchObject({ metricsEnabled: true, generationTokensPerSecond: null, requestsProcessing: 1, requestsDeferred: 2, slotsBusy: 1, slotsTotal: 2 });
    const later = new Map(metrics).set('llamacpp:tokens_predicted_total', 140).set('llamacpp:prompt_tokens_total', 600);
    const second = llamaServerStats(later, null, null, first.counters, 3000);
    expect(second.stats.generationTokensPerSecond).toBe(50);
    expect(second.stats.promptTokensPerSecond).toBe(250);
    expect(llamaServerStats(null, null, null, null, 0).stats.metricsEnabled).toBe(false);
  });

  it('during a long answer (tokens_predicted_total still, n_decode_total moving): decode steps × busy slots, marked as an estimate', () => {
    const at = (decodes: number, predicted: number, busy: number) =>
      new Map(metrics).set('llamacpp:n_decode_total', decodes).set('llamacpp:tokens_predicted_total', predicted).set('llamacpp:requests_processing', busy);
    const first = llamaServerStats(at(1000, 0, 1), null, null, null, 0);
    const one = llamaServerStats(at(3800, 0, 1), null, null, first.counters, 2000); // 1,400 steps/s, one slot: as measured on b4748
    expect(one.stats).toMatchObject({ generationTokensPerSecond: 1400, generationEstimated: true });
    const two = llamaServerStats(at(5800, 0, 2), null, null, one.counters, 4000);
    expect(two.stats).toMatchObject({ generationTokensPerSecond: 2000, generationEstimated: true });
    // the answer has ended and its 16,000 tokens are counted at once: no step, so no spike
    const idle = llamaServerStats(at(5800, 16000, 0), null, null, two.counters, 6000);
    expect(idle.stats.generationTokensPerSecond).toBe(0);
    expect(idle.stats.generationEstimated).toBeUndefined();
  });

  it('slots: from /slots where it is on, else /props total_slots and requests_processing (build 4748 answers /slots 501)', () => {
    const busy = new Map(metrics).set('llamacpp:requests_processing', 3);
    expect(llamaServerStats(busy, null, { total_slots: 4 }, null, 0).stats).toMatchObject({ slotsTotal: 4, slotsBusy: 3 });
    expect(llamaServerStats(null, null, { total_slots: 4 }, null, 0).stats).toMatchObject({ slotsTotal: 4, slotsBusy: null });
  });

  it("keeps the server's own per-request speed apart from throughput", () => {
    const m = new Map(metrics).set('llamacpp:predicted_tokens_seconds', 1812.44);
    expect(llamaServerStats(m, null, null, null, 0).stats.requestTokensPerSecond).toBe(1812.4);
  });

  it('vllm: running and waiting requests, token throughput and KV-cache use from its /metrics', () => {
    const v = parsePrometheus(
      ['vllm:num_requests_running{model_name="q"} 2', 'vllm:num_requests_waiting{model_name="q"} 1', 'vllm:gpu_cache_usage_perc{model_name="q"} 0.25', 'vllm:prompt_tokens_total{model_name="q"} 100', 'vllm:generation_tokens_total{model_name="q"} 50'].join('\n'),
    );
    const first = vllmStats(v, null, 1000);
    expect(first.stats).toMatchObject({ requestsProcessing: 2, requestsDeferred: 1, kvCacheUsage: 0.25, generationTokensPerSecond: null });
    const second = vllmStats(new Map(v).set('vllm:generation_tokens_total', 250), first.counters, 3000);
    expect(second.stats.generationTokensPerSecond).toBe(100);
  });

  it('reads ollama /api/ps and nvidia-smi output', () => {
    expect(ollamaStats({ models: [{ name: 'llama3.2:1b', size_vram: 123, expires_at: '2026-01-01T00:00:00Z' }] }).loadedModels).toEqual([
      { name: 'llama3.2:1b', sizeVramBytes: 123, expiresAt: '2026-01-01T00:00:00Z' },
    ]);
    expect(parseComputeApps('1234, 512\n1234, 512\n99, 10\n[N/A]\n')).toEqual(new Map([[1234, 1024 * 1024 * 1024], [99, 10 * 1024 * 1024]]));
  });
});
