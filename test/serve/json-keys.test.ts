import { afterEach, describe, expect, it } from 'vitest';
import { countTopLevelKey } from '../../src/serve/json-keys.js';
import { modelOf } from '../../src/serve/request-body.js';
import { closeEndpoints, openEndpoint } from './endpoint-harness.js';

afterEach(closeEndpoints);

describe('serve: a duplicate "model" key', () => {
  it('counts only the top-level object\'s keys: not strings that say "model", not nested objects, escapes decoded', () => {
    const count = (text: string) => {
      JSON.parse(text); // every case is valid JSON
      return countTopLevelKey(text, 'model');
    };
    expect(count('{"model":"a","model":"b"}')).toBe(2);
    expect(count('{ "model" : "a" ,\n "model":"b" }')).toBe(2);
    expect(count('{"model":"a","mod\\u0065l":"b"}')).toBe(2);
    expect(count('{"model":"a","messages":[{"role":"user","content":"\\"model\\": \\"b\\", model"}]}')).toBe(1);
    expect(count('{"model":"a","nested":{"model":"b"},"list":[{"model":"c"}]}')).toBe(1);
    expect(count('{"a\\"model":1,"x":"model","model":"m","y":"\\\\","z":"model"}')).toBe(1);
    expect(count('{"prompt":"model","stop":["model"],"model":"a"}')).toBe(1);
    expect(count('["model","model"]')).toBe(0);
    expect(count('{}')).toBe(0);
  });

  it('is refused with 400 before routing (JSON.parse would route by the last one)', async () => {
    expect(() => modelOf(Buffer.from('{"model":"alpha","messages":[],"model":"beta"}'))).toThrow(/duplicate "model" key/);
    expect(modelOf(Buffer.from('{"model":"alpha","messages":[{"content":"{\\"model\\":\\"beta\\"}"}]}'))).toBe('alpha');
    const { url, refused } = await openEndpoint();
    const res = await fetch(`${url}/v1/chat/completions`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{"model":"alpha","model":"beta","messages":[]}' });
    expect(res.status).toBe(400);
    expect((await res.json()).error).toMatchObject({ type: 'invalid_request_error', code: 'duplicate_model', message: expect.stringMatching(/^duplicate "model" key/) });
    expect(refused).toEqual([{ model: '-', service: '-', status: 400, message: expect.stringMatching(/^duplicate "model" key/) }]);
  });
});
