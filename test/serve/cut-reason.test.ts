import { describe, expect, it } from 'vitest';
import { cutMessage, cutOnChange, cutStatus, type StateChange } from '../../src/serve/cut-reason.js';
import { LeaseBook } from '../../src/serve/lease-book.js';
import { streamErrorTail } from '../../src/serve/stream-error.js';

const change = (from: string, to: string, status: Partial<StateChange['status']> = {}): StateChange => ({
  service: 'llama',
  from,
  to,
  status: { detail: null, lastError: null, exitCode: null, signal: null, ...status },
});

describe('serve: why a request in flight was cut', () => {
  it('says each cut the way the client, the serve log and /metrics read it', () => {
    expect(cutMessage({ kind: 'drain-timeout', service: 'llama', drainTimeoutMs: 30_000 })).toBe("cut: llama's drainTimeout (30s) ran out during stop");
    expect(cutMessage({ kind: 'now', service: 'llama' })).toBe('cut: stop --now');
    expect(cutMessage({ kind: 'now', service: 'llama', flag: '--force' })).toBe('cut: stop --force');
    expect(cutMessage({ kind: 'exited', service: 'llama', code: 1, signal: null })).toBe('llama exited (code 1)');
    expect(cutMessage({ kind: 'exited', service: 'llama', code: null, signal: 'SIGKILL' })).toBe('llama exited (killed by SIGKILL)');
    expect(cutStatus({ kind: 'now', service: 'llama' })).toBe(503);
    expect(cutStatus({ kind: 'exited', service: 'llama', code: 1, signal: null })).toBe(502);
  });

  it('reads the cut from a state change: a stop that skipped the drain, a restart of an unhealthy server, an exit', () => {
    expect(cutOnChange(change('ready', 'stopping'))).toEqual({ kind: 'now', service: 'llama' });
    expect(cutOnChange(change('ready', 'stopping', { detail: 'restarting (inference stalled)', lastError: 'no token in 30s' }))).toEqual({ kind: 'restarted', service: 'llama', why: 'no token in 30s' });
    expect(cutOnChange(change('ready', 'crashed', { exitCode: 139 }))).toEqual({ kind: 'exited', service: 'llama', code: 139, signal: null });
    expect(cutOnChange(change('draining', 'stopped', { signal: 'SIGKILL' }))).toEqual({ kind: 'exited', service: 'llama', code: null, signal: 'SIGKILL' });
    // The drain's own end (its cut comes from the drain, with its reason) and other changes cut nothing here.
    expect(cutOnChange(change('draining', 'stopping'))).toBeNull();
    expect(cutOnChange(change('ready', 'draining'))).toBeNull();
    expect(cutOnChange(change('starting', 'ready'))).toBeNull();
  });

  it("the LeaseBook aborts with the drain's reason, and the first reason a request is cut with stands", () => {
    const book = new LeaseBook((service, why) => (why === 'now' ? { kind: 'now', service } : { kind: 'drain-timeout', service, drainTimeoutMs: 5000 }));
    const a = book.add('alpha');
    book.cut('alpha', 'timeout');
    book.cut('alpha', 'now');
    expect((a.cut.signal.reason as Error).message).toBe("cut: alpha's drainTimeout (5s) ran out during stop");
  });

  it("ends a cut stream in its own format: an SSE error event (after a half-sent event), an NDJSON error line", () => {
    const error = { message: 'cut: stop --now', type: 'server_error', code: 'service_stopped' };
    expect(streamErrorTail('text/event-stream; charset=utf-8', error, '}\n\n')).toBe('data: {"error":{"message":"cut: stop --now","type":"server_error","code":"service_stopped"}}\n\n');
    expect(streamErrorTail('text/event-stream', error, '"x')).toMatch(/^\n\ndata: \{"error"/);
    expect(streamErrorTail('application/x-ndjson', error, '}\n')).toBe('{"error":"cut: stop --now"}\n');
    expect(streamErrorTail('application/json', error, '}')).toBeNull();
  });
});
