import { describe, expect, it } from 'vitest';
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
    expect(d.push('x'.repeat(11))).toEqual([{ ok: false, error: 'message larger than 10 bytes' }]);
    expect(d.push('x'.repeat(50))).toEqual([]);
    expect(d.push('xx\n{"ok":1}\n')).toEqual([{ ok: true, value: { ok: 1 } }]);
  });
  it('round-trips encode', () => {
    expect(new NdjsonDecoder().push(encode({ x: 'a\nb' }))).toEqual([{ ok: true, value: { x: 'a\nb' } }]);
  });
});

describe('parseRequest', () => {
  it('accepts the known requests with defaults', () => {
    expect(parseRequest({ id: 1, type: 'start', names: ['a'] })).toEqual({ ok: true, request: { id: 1, type: 'start', names: ['a'], wait: true, force: false } });
    expect(parseRequest({ id: 2, type: 'stop' })).toEqual({ ok: true, request: { id: 2, type: 'stop', names: [], force: false } });
  });
  it('refuses what it does not know, naming the problem', () => {
    expect(parseRequest({ type: 'status' })).toMatchObject({ ok: false, error: 'request.id must be an integer' });
    expect(parseRequest({ id: 1, type: 'start', names: [1] })).toMatchObject({ ok: false, id: 1, error: 'request.names must be an array of service names (start)' });
    expect(parseRequest({ id: 1, type: 'rm' })).toMatchObject({ ok: false, error: 'unknown request type "rm"' });
  });
});
