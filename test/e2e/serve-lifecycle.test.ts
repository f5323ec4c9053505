import { afterEach, describe, expect, it } from 'vitest';
import { cleanupAll, REAL_LLAMA_SERVER } from '../helpers/stack.js';
import { makeServeStack, postJson } from '../helpers/serve-stack.js';

afterEach(cleanupAll);

const chat = (model: string) => ({ model, messages: [{ role: 'user', content: 'hi' }], max_tokens: 2 });

describe(`what the CLI says of the serve endpoint (${REAL_LLAMA_SERVER ? 'real llama-server' : 'fixture'})`, () => {
  it('status shows where the endpoint serves and how many models, in text and --json', async () => {
    const stack = await makeServeStack([{ name: 'alpha', models: ['alpha', 'tiny-a'] }, { name: 'beta', models: ['beta'] }]);
    expect((await stack.cli(['start'])).exitCode).toBe(0);
    const status = await stack.cli(['status']);
    expect(status.stdout.split('\n')[0]).toBe(`serving on ${stack.serveUrl}/v1 · 3 models`);
    const json = JSON.parse((await stack.cli(['status', '--json'])).stdout);
    expect(json.serve).toEqual({ url: stack.serveUrl, error: null, models: 3 });
  });

  it('stop (all) says the endpoint still serves and how to stop it, and that is true', async () => {
    const stack = await makeServeStack([{ name: 'alpha', models: ['alpha', 'tiny-a'] }]);
    expect((await stack.cli(['start'])).exitCode).toBe(0);

    expect((await postJson(`${stack.serveUrl}/v1/chat/completions`, chat('alpha'))).status).toBe(200);
    const stop = await stack.cli(['stop']);
    expect(stop.exitCode, stop.stderr).toBe(0);
    expect(stop.stdout).toMatch(/^✓ alpha stopped in [\d.]+s$/m);
    expect(stop.stdout).toContain(`endpoint still serving on ${stack.serveUrl}/v1 (requests start models again; to stop it too: llama-top daemon stop)`);
    // What it says is true: the endpoint answers, and the command it names stops it.
    expect((await fetch(`${stack.serveUrl}/v1/models`)).status).toBe(200);
    const stopJson = JSON.parse((await stack.cli(['stop', '--json'])).stdout);
    expect(stopJson.serve).toEqual({ url: stack.serveUrl, error: null });
    expect((await stack.cli(['daemon', 'stop'])).exitCode).toBe(0);
    await expect(fetch(`${stack.serveUrl}/v1/models`)).rejects.toThrow();
  });
});
