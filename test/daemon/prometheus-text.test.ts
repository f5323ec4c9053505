import parsePrometheusTextFormat from 'parse-prometheus-text-format';
import { describe, expect, it } from 'vitest';
import { prometheusText } from '../../src/daemon/prometheus-text.js';
import { unreachableRow } from '../../src/client/hosts-api.js';
import type { ServiceStatus } from '../../src/protocol/messages.js';

const service = (name: string, extra: Partial<ServiceStatus>): ServiceStatus => ({ ...unreachableRow('x', null), name, box: undefined, kind: 'llama-server', state: 'ready', ...extra });

describe('prometheusText: the inference check', () => {
  it('1 when the last check saw it generate, 0 when it stalled, absent when there was none or it could not tell', () => {
    const text = prometheusText('demo', [
      service('alive', { inference: { checkedAt: '2026-11-30T00:00:00Z', result: 'ok', reason: null } }),
      service('wedged', { inference: { checkedAt: '2026-11-30T00:00:00Z', result: 'fail', reason: 'inference stalled: no token in 31 s with 1 request processing' } }),
      service('idle', { inference: { checkedAt: '2026-11-30T00:00:00Z', result: 'unknown', reason: 'no model loaded (no runner process): nothing to check' } }),
      service('unchecked', { inference: null }),
    ]);
    const families = parsePrometheusTextFormat(text) as Array<{ name: string; type: string; metrics: Array<{ value: string; labels: Record<string, string> }> }>;
    const family = families.find((f) => f.name === 'llama_top_llm_inference_ok')!;
    expect(family.type).toBe('GAUGE');
    expect(family.metrics.map((m) => [m.labels.service, m.value])).toEqual([
      ['alive', '1'],
      ['wedged', '0'],
    ]);
  });
});
