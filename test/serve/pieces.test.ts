import { describe, expect, it } from 'vitest';
import { serveNote, stateLabel } from '../../src/commands/format-status.js';
import type { ServiceStatus } from '../../src/protocol/status.js';
import { ServeError } from '../../src/serve/contract.js';
import { idleWords, type ServedRequest } from '../../src/serve/gateway.js';
import { LeaseBook } from '../../src/serve/lease-book.js';
import { errorBody } from '../../src/serve/openai-error.js';
import { modelOf } from '../../src/serve/request-body.js';
import { configuredNames } from '../../src/serve/served-names.js';
import { requestLine, swapLine } from '../../src/serve/serve-log.js';
import { ServeMetrics } from '../../src/serve/serve-metrics.js';
import { AnswerTail, usageFrom } from '../../src/serve/usage.js';

describe('serve: tokens from the end of an answer', () => {
  it("reads OpenAI's usage, a stream's last event, and ollama's counts", () => {
    expect(usageFrom('{"choices":[],"usage":{"prompt_tokens":12,"completion_tokens":5,"total_tokens":17}}')).toEqual({ tokensIn: 12, tokensOut: 5 });
    expect(usageFrom('data: {"choices":[{"delta":{}}]}\n\ndata: {"usage":{"prompt_tokens":3,"completion_tokens":9}}\n\ndata: [DONE]\n\n')).toEqual({ tokensIn: 3, tokensOut: 9 });
    expect(usageFrom('{"done":true,"prompt_eval_count":26,"eval_count":290}')).toEqual({ tokensIn: 26, tokensOut: 290 });
    expect(usageFrom('data: {"choices":[{"delta":{"content":"x"}}]}')).toEqual({ tokensIn: null, tokensOut: null });
  });

  it('keeps the last 16 KiB of the answer, whatever the chunks', () => {
    const tail = new AnswerTail();
    for (let i = 0; i < 100; i++) tail.push(Buffer.from('x'.repeat(1000)));
    tail.push(Buffer.from('{"usage":{"prompt_tokens":1,"completion_tokens":2}}'));
    expect(tail.text().length).toBe(16 * 1024);
    expect(usageFrom(tail.text())).toEqual({ tokensIn: 1, tokensOut: 2 });
  });
});

describe('serve: names, bodies, errors', () => {
  const svc = (extra: object) => ({ name: 'llama', kind: 'llama-server', model: '/m/tiny.gguf', ...extra }) as never;
  it("a service's names: its models list, else its name and its model file's basename", () => {
    expect(configuredNames(svc({}))).toEqual(['llama', 'tiny.gguf']);
    expect(configuredNames(svc({ models: ['alpha', 'tiny-a'] }))).toEqual(['alpha', 'tiny-a']);
    expect(configuredNames(svc({ model: undefined }))).toEqual(['llama']);
  });

  it('400 for a body that is not JSON or names no model', () => {
    expect(modelOf(Buffer.from('{"model":"alpha","messages":[]}'))).toBe('alpha');
    for (const body of ['{not json', '[]', '{"model":""}', '{"model":3}', '{}'])
      expect(() => modelOf(Buffer.from(body))).toThrow(ServeError);
    try {
      modelOf(Buffer.from('{}'));
    } catch (e) {
      expect(JSON.parse(errorBody(e as ServeError))).toEqual({
        error: { message: 'the request names no model: add "model": "NAME" to the body (GET /v1/models lists the names)', type: 'invalid_request_error', code: 'model_required' },
      });
    }
  });

  it('idle stop durations read as people write them', () => {
    expect([idleWords(600_000), idleWords(4000), idleWords(3_600_000), idleWords(1500)]).toEqual(['10m', '4s', '1h', '1500ms']);
  });
});

describe('serve: the log line and the metrics', () => {
  const request: ServedRequest = { at: Date.parse('2026-12-05T08:00:00Z'), model: 'tiny-a', service: 'alpha', outcome: { status: 200, tokensIn: 12, tokensOut: 2 }, durationMs: 1320, waitedMs: 1110, coldStart: true };
  it('one line per request: time, model, service, status, tokens, duration, wait', () => {
    expect(requestLine(request)).toBe('2026-12-05T08:00:00.000Z tiny-a -> alpha 200 tokens 12/2 1320ms waited 1110ms (cold start)');
    expect(requestLine({ ...request, outcome: { status: 200, note: 'client left' }, waitedMs: 0, coldStart: false, durationMs: 12_500 })).toBe('2026-12-05T08:00:00.000Z tiny-a -> alpha 200 12.5s (client left)');
    // Stamped when the swap began (it is written once it has ended, 1.1 s later here).
    expect(swapLine({ at: request.at + 2, group: 'gpu0', from: ['alpha'], to: 'beta', drainMs: 3, stopMs: 250, vramMs: 40, loadMs: 800, ok: true })).toBe(
      '2026-12-05T08:00:00.002Z swap gpu0: alpha -> beta: drain 3ms, stop 210ms, VRAM wait 40ms, load 800ms',
    );
    // No nvidia-smi: no VRAM was waited for, and the line says so instead of a wait of a millisecond.
    expect(swapLine({ at: request.at + 2, group: 'gpu0', from: ['alpha'], to: 'beta', drainMs: 3, stopMs: 250, vramMs: null, loadMs: 800, ok: true })).toBe(
      '2026-12-05T08:00:00.002Z swap gpu0: alpha -> beta: drain 3ms, stop 250ms, no GPU to wait for, load 800ms',
    );
  });

  it('counts requests by model, service and code; histograms are cumulative; queues and cold starts', () => {
    const m = new ServeMetrics();
    m.record(request);
    m.record({ ...request, waitedMs: 0, coldStart: false, durationMs: 3 });
    m.record({ model: 'nope', service: '-', outcome: { status: 404 }, durationMs: 0, waitedMs: 0, coldStart: false });
    const text = m.text('s', [{ group: 'gpu0', depth: 2 }]);
    expect(text).toContain('llama_top_serve_requests_total{model="tiny-a",service="alpha",code="200",stack="s"} 2');
    expect(text).toContain('llama_top_serve_requests_total{model="-",service="-",code="404",stack="s"} 1');
    expect(text).toContain('llama_top_serve_request_seconds_bucket{service="alpha",stack="s",le="0.005"} 1');
    expect(text).toContain('llama_top_serve_request_seconds_bucket{service="alpha",stack="s",le="2.5"} 2');
    expect(text).toContain('llama_top_serve_request_seconds_count{service="alpha",stack="s"} 2');
    expect(text).toContain('llama_top_serve_wait_seconds_bucket{service="alpha",stack="s",le="0.005"} 1');
    expect(text).toContain('llama_top_serve_queue_depth{group="gpu0",stack="s"} 2');
    expect(text).toContain('llama_top_serve_cold_starts_total{service="alpha",stack="s"} 1');
    expect(text).toMatch(/# TYPE llama_top_serve_request_seconds histogram/);
  });
});

describe('serve: LeaseBook (the endpoint as a DrainSource)', () => {
  it('counts requests in flight per service and says when the count drops', () => {
    const book = new LeaseBook();
    const changes: string[] = [];
    book.onChange((s) => changes.push(s));
    const a = book.add('alpha');
    book.add('alpha');
    expect(book.inFlight('alpha')).toBe(2);
    book.remove(a);
    book.remove(a);
    expect(book.inFlight('alpha')).toBe(1);
    expect(changes).toEqual(['alpha']);
  });

  it('cut aborts the requests of that service only; drained resolves when they end, or cuts them at its timeout', async () => {
    const book = new LeaseBook();
    const a = book.add('alpha');
    const b = book.add('beta');
    book.cut('alpha');
    expect(a.cut.signal.aborted).toBe(true);
    expect(b.cut.signal.aborted).toBe(false);
    const drained = book.drained('beta', 60_000);
    book.remove(b);
    await drained;
    const c = book.add('gamma');
    await book.drained('gamma', 10);
    expect(c.cut.signal.aborted).toBe(true);
  });
});

describe('serve: status words', () => {
  const base = { name: 'alpha', state: 'ready', detail: null, nextRetryAt: null, stopReason: null } as unknown as ServiceStatus;
  const info = (extra: object) => ({ models: ['alpha'], group: 'gpu0', inFlight: 0, waiting: 0, idleStopAt: null, ...extra });
  it("a stopped service's reason is its state word; the queue and the idle stop are the SERVE note", () => {
    expect(stateLabel({ ...base, state: 'stopped', stopReason: 'idle 10m' })).toBe('stopped · idle 10m');
    const now = Date.parse('2026-12-05T08:00:00Z');
    const alpha = { ...base, serve: info({ inFlight: 1, idleStopAt: '2026-12-05T08:04:00Z' }) };
    const beta = { ...base, name: 'beta', state: 'stopped', serve: info({ waiting: 2 }) };
    expect(serveNote(alpha, [alpha, beta], now)).toBe('2 waiting for beta, 1 in flight, idle stop in 4m');
    expect(serveNote(beta, [alpha, beta], now)).toBe('2 waiting');
    expect(serveNote({ ...base }, [base], now)).toBe('');
    // The countdown a client's ollama keep_alive set is named: it is not the configured idleStop.
    const kept = { ...base, serve: info({ idleStopAt: '2026-12-05T08:10:00Z', idleStopBy: 'keep_alive' }) };
    expect(serveNote(kept, [kept], now)).toBe('idle stop in 10m (keep_alive)');
  });
});
