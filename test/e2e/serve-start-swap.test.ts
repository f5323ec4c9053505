import { afterEach, describe, expect, it } from 'vitest';
import { cleanupAll, waitFor } from '../helpers/stack.js';
import { makeServeStack, postJson } from '../helpers/serve-stack.js';

afterEach(cleanupAll);

const chat = (model: string) => ({ model, messages: [{ role: 'user', content: 'hi' }], max_tokens: 2 });

describe('start by hand of a group member: it says whom it swaps out, and the request it cuts (fixture: a paced answer)', () => {
  it('`start beta` while alpha streams: a line for the drain with its count and cut time, then what was cut', async () => {
    const stack = await makeServeStack([
      // 600 tokens at 20/s outlive the 3-s drainTimeout, whatever the machine's load.
      { name: 'alpha', group: 'gpu0', fakeArgs: ['--tok-s', '20'], extra: ['drainTimeout: 3s'], fixtureOnly: true },
      { name: 'beta', group: 'gpu0', fixtureOnly: true },
    ]);
    expect((await stack.cli(['start'])).exitCode).toBe(0);
    expect((await postJson(`${stack.serveUrl}/v1/chat/completions`, chat('alpha'))).status).toBe(200);
    const long = postJson(`${stack.serveUrl}/v1/chat/completions`, { model: 'alpha', messages: [{ role: 'user', content: 'a story' }], max_tokens: 600 });
    await waitFor(async () => (await stack.status())[0]!.serve?.inFlight === 1, 'the long answer in flight');

    const start = await stack.cli(['start', 'beta']); // not a terminal: a line per change
    expect(start.exitCode, start.stderr).toBe(0);
    expect(start.stderr).toMatch(/^swapping out alpha \(group gpu0\) for beta: waiting for 1 request in flight \(cut in \ds\)$/m);
    expect(start.stderr).toMatch(/^alpha swapped out for beta \(group gpu0\) · 1 request in flight cut after drainTimeout$/m);
    expect(start.stdout).toMatch(/^✓ beta ready in/m);
    const cut = await long; // not streamed: cut before its answer began, answered 503 saying why
    expect(cut.status).toBe(503);
    expect(cut.json.error.message).toMatch(/drainTimeout/);
    expect((await stack.status()).map((s) => s.state)).toEqual(['stopped', 'ready']);
  });
});
