import { describe, expect, it, vi } from 'vitest';
import { encode, NdjsonDecoder } from '../../src/protocol/codec.js';
import { parseRequest } from '../../src/protocol/requests.js';

describe('NdjsonDecoder', () => {
  it('joins messages split across chunks and splits several in one chunk', () => {
    const d = new NdjsonDecoder();
    expect(d.push('{"a":')).toEqual([]);
    expect(d.push('1}\n{"b":2}\n{"c"')).toEqual([{ ok: true, value: { a: 1 } }, { ok: true, value: { b: 2 } }]);
    expect(d.push(':3}\n')).toEqual([{ ok: true, value: { c: 3 } }]);
  });
  it('reports bad JSON and oversized lines once, then carries on', () => {
    const d = new NdjsonDecoder(10);
    expect(d.push('nope\n')[0]).toMatchObject({ ok: false, error: expect.stringMatching(/not JSON/) });
    expect(d.push('x'.repeat(11))).toEqual([{ ok: false, error: 'message larger than 10 bytes', oversized: true }]);
    expect(d.push('x'.repeat(50))).toEqual([]);
    expect(d.push('xx\n{"ok":1}\n')).toEqual([{ ok: true, value: { ok: 1 } }]);
  });
  it('reports a line over the limit as soon as it passes it (complete or not), holding none of it', () => {
    const d = new NdjsonDecoder(10);
    expect(d.push(`${'y'.repeat(11)}\n{"a":1}\n`)).toEqual([{ ok: false, error: 'message larger than 10 bytes', oversized: true }, { ok: true, value: { a: 1 } }]);
    expect(d.push('x'.repeat(6))).toEqual([]);
    expect(d.held()).toBe(6);
    expect(d.push('x'.repeat(6))).toEqual([{ ok: false, error: 'message larger than 10 bytes', oversized: true }]);
    expect(d.held()).toBe(0);
    d.maxBytes = 100; // raised (the client, once the daemon has said hello)
    expect(d.push(`\n{"b":"${'z'.repeat(50)}"}\n`)).toEqual([{ ok: true, value: { b: 'z'.repeat(50) } }]);
  });
  it('is linear: a 20 MB line in 64 KiB chunks is scanned once, not once per chunk', () => {
    const d = new NdjsonDecoder(64 * 1024 * 1024);
    const chunk = 'a'.repeat(64 * 1024);
    const chunks = 320; // 20 MiB
    let scanned = 0;
    const indexOf = String.prototype.indexOf;
    const spy = vi.spyOn(String.prototype, 'indexOf').mockImplementation(function (this: string, search: string, from?: number) {
      if (search === '\n') scanned += this.length - (from ?? 0);
      return indexOf.call(this, search, from);
    });
    try {
      const value = { line: 'x' };
      const json = JSON.stringify(value);
      expect(d.push(json.slice(0, 5))).toEqual([]);
      for (let i = 0; i < chunks; i++) expect(d.push(chunk)).toEqual([]);
      expect(d.held()).toBe(5 + chunks * chunk.length);
      const out = d.push('\n');
      expect(out).toHaveLength(1);
      expect(out[0]).toMatchObject({ ok: false, error: expect.stringMatching(/not JSON/) });
    } finally {
      spy.mockRestore();
    }
    // The old decoder re-scanned the whole buffer for each chunk: ~320 × 10 MiB = 3.4 GB of scanning.
    expect(scanned).toBeLessThanOrEqual(2 * chunks * chunk.length);
  });
  it('round-trips encode', () => {
    expect(new NdjsonDecoder().push(encode({ x: 'a\nb' }))).toEqual([{ ok: true, value: { x: 'a\nb' } }]);
  });
});

describe('parseRequest', () => {
  it('accepts the known requests with defaults', () => {
    expect(parseRequest({ id: 1, type: 'start', names: ['a'] })).toEqual({ ok: true, request: { id: 1, type: 'start', names: ['a'], wait: true, force: false } });
    expect(parseRequest({ id: 2, type: 'stop' })).toEqual({ ok: true, request: { id: 2, type: 'stop', names: [], force: false, now: false } });
  });
  it('refuses what it does not know, naming the problem', () => {
    expect(parseRequest({ type: 'status' })).toMatchObject({ ok: false, error: 'request.id must be an integer' });
    expect(parseRequest({ id: 1, type: 'start', names: [1] })).toMatchObject({ ok: false, id: 1, error: 'request.names must be an array of service names (start)' });
    expect(parseRequest({ id: 1, type: 'rm' })).toMatchObject({ ok: false, error: 'unknown request type "rm"' });
  });
});
