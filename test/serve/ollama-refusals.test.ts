import { afterEach, describe, expect, it } from 'vitest';
import { closeEndpoints, openEndpoint } from './endpoint-harness.js';

afterEach(closeEndpoints);

const MiB = 1024 * 1024;
/** A llama-server service the endpoint serves (never started by these tests: every request is refused first). */
const LLAMA = '  llama:\n    kind: llama-server\n    model: ./tiny.gguf\n    port: 7\n    models: [tiny]\n    autostart: false\n';

describe("serve endpoint: refusals on ollama's routes", () => {
  it("a wrong or missing key is 401 in ollama's shape on /api/*, in OpenAI's on /v1/*", async () => {
    const { url, refused } = await openEndpoint({ apiKeys: ['sk-local-123456'], services: LLAMA });
    const chat = await fetch(`${url}/api/chat`, { method: 'POST', body: JSON.stringify({ model: 'tiny', messages: [] }) });
    expect(chat.status).toBe(401);
    expect(await chat.json()).toEqual({ error: 'missing or wrong API key: send Authorization: Bearer KEY with a key of serve.apiKeys' });
    const tags = await fetch(`${url}/api/tags`, { headers: { authorization: 'Bearer sk-wrong-123456' } });
    expect(tags.status).toBe(401);
    expect(typeof (await tags.json()).error).toBe('string');
    const v1 = await fetch(`${url}/v1/chat/completions`, { method: 'POST', body: JSON.stringify({ model: 'tiny', messages: [] }) });
    expect(v1.status).toBe(401);
    expect((await v1.json()).error).toMatchObject({ code: 'invalid_api_key', type: 'invalid_request_error' });
    expect(refused.map((r) => [r.model, r.service, r.status])).toEqual([['-', '-', 401], ['-', '-', 401], ['-', '-', 401]]);
  });

  it('bad JSON, an unknown model and a body too large are logged and counted under model "-", answered in ollama\'s shape', async () => {
    const { url, refused } = await openEndpoint({ services: LLAMA, limits: { maxBytes: MiB } });
    const notJson = await fetch(`${url}/api/chat`, { method: 'POST', body: '{not json' });
    expect(notJson.status).toBe(400);
    expect((await notJson.json()).error).toMatch(/^the request body is not JSON/);
    const unknown = await fetch(`${url}/api/generate`, { method: 'POST', body: JSON.stringify({ model: 'nope', prompt: 'x' }) });
    expect(unknown.status).toBe(404);
    expect((await unknown.json()).error).toMatch(/^model "nope" not found: the endpoint serves tiny/);
    const big = await fetch(`${url}/api/chat`, { method: 'POST', body: Buffer.alloc(2 * MiB, 'a') });
    expect(big.status).toBe(413);
    expect(await big.json()).toEqual({ error: 'the request body is larger than 1 MiB, the most llama-top serve takes' });
    const embed = await fetch(`${url}/api/embed`, { method: 'POST', body: JSON.stringify({ model: 'nope', input: 'x' }) });
    expect(embed.status).toBe(404);
    const show = await fetch(`${url}/api/show`, { method: 'POST', body: JSON.stringify({}) });
    expect(show.status).toBe(400);
    expect(refused.map((r) => [r.model, r.service, r.status])).toEqual([
      ['-', '-', 400],
      ['nope', '-', 404],
      ['-', '-', 413],
      ['nope', '-', 404],
      ['-', '-', 400],
    ]);
  });
});
