import fs from 'node:fs';
import net from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { makeServeStack, postJson } from '../helpers/serve-stack.js';
import { cleanupAll, findFreePorts, waitFor, warnings } from '../helpers/stack.js';

afterEach(cleanupAll);

describe('serve: what reload and status tell', () => {
  it("a reload whose models: list takes another service's default name is refused, and nothing changes", async () => {
    const stack = await makeServeStack([{ name: 'alpha' }, { name: 'beta' }]);
    expect((await stack.cli(['start'])).exitCode).toBe(0);
    fs.writeFileSync(stack.configFile, fs.readFileSync(stack.configFile, 'utf8').replace('  alpha:\n', '  alpha:\n    models: [alpha, beta]\n'));
    const reload = await stack.cli(['reload']);
    expect(reload.exitCode).toBe(2);
    expect(reload.stderr).toMatch(/llama-top\.yaml:\d+:\d+ services\.alpha\.models: "beta" is also the name of service beta .*take it out of services\.alpha\.models, or give services\.beta a models: list of its own/);
    const models = await (await fetch(`${stack.serveUrl}/v1/models`)).json();
    expect(models.data.find((m: { id: string }) => m.id === 'beta')).toMatchObject({ service: 'beta' });
  }, 60_000);

  it('a reload to a serve.listen that is taken says so (exit 1), keeps the endpoint where it was, and status warns until a reload moves it', async () => {
    const stack = await makeServeStack([{ name: 'alpha' }]);
    expect((await stack.cli(['start'])).exitCode).toBe(0);
    const [taken] = await findFreePorts(1);
    const holder = net.createServer();
    await new Promise<void>((resolve) => holder.listen(taken, '127.0.0.1', resolve));
    try {
      const oldPort = stack.ports[1]!;
      fs.writeFileSync(stack.configFile, fs.readFileSync(stack.configFile, 'utf8').replace(`listen: 127.0.0.1:${oldPort}`, `listen: 127.0.0.1:${taken}`));
      const refused = await stack.cli(['reload']);
      expect(refused.exitCode, refused.stdout + refused.stderr).toBe(1);
      expect(refused.stdout).toContain(`✗ serve endpoint: cannot listen on 127.0.0.1:${taken}: port ${taken} is`);
      expect(refused.stdout).toMatch(new RegExp(`pid ${process.pid}\\b.*: stop it or change serve\\.listen in .*, then llama-top reload \\(still serving on http://127\\.0\\.0\\.1:${oldPort}/v1\\)$`, 'm'));
      expect((await fetch(`${stack.serveUrl}/v1/models`)).status).toBe(200);
      const status = await stack.cli(['status']);
      expect(status.exitCode).toBe(0);
      expect(warnings(status.stderr)).toEqual([expect.stringMatching(new RegExp(`^warning: the serve endpoint is still on http://127\\.0\\.0\\.1:${oldPort}, not where serve\\.listen says: serve: cannot listen on 127\\.0\\.0\\.1:${taken}`))]);
      expect(JSON.parse((await stack.cli(['status', '--json'])).stdout).problems).toEqual([expect.stringContaining(`cannot listen on 127.0.0.1:${taken}`)]);
    } finally {
      await new Promise<void>((resolve) => holder.close(() => resolve()));
    }
    const moved = await stack.cli(['reload']);
    expect(moved.exitCode, moved.stdout + moved.stderr).toBe(0);
    expect(moved.stdout).toContain(`✓ serve endpoint moved to http://127.0.0.1:${taken}/v1 (was ${stack.serveUrl}/v1)`);
    expect((await fetch(`http://127.0.0.1:${taken}/v1/models`)).status).toBe(200);
    await expect(fetch(`${stack.serveUrl}/v1/models`)).rejects.toThrow();
    const status = await stack.cli(['status']);
    expect(warnings(status.stderr)).toEqual([]);
  }, 60_000);
});

describe('serve: what a waiting client is told (fixture: only it loads slowly)', () => {
  it('a service stopped by hand during its cold start: 503 saying so, not a start timeout; a start timeout: 504 naming the key to raise', async () => {
    const stack = await makeServeStack([
      // An earlier start timed out (a stale lastError), as in the report: the stop must not be told as that.
      { name: 'slow', fixtureOnly: true, fakeArgs: ['--load-ms', '60000'], extra: ['startTimeout: 2s'] },
    ]);
    expect((await stack.cli(['start'])).exitCode).toBe(0);
    const timedOut = await postJson(`${stack.serveUrl}/v1/completions`, { model: 'slow', prompt: 'x' });
    expect(timedOut.status).toBe(504);
    expect(timedOut.json.error.message).toMatch(/^slow did not become ready within its startTimeout \(2 s\): .*; if it needs longer to load, raise services\.slow\.startTimeout$/);
    expect((await stack.cli(['stop', 'slow'])).exitCode).toBe(0);

    fs.writeFileSync(stack.configFile, fs.readFileSync(stack.configFile, 'utf8').replace('startTimeout: 2s', 'startTimeout: 60s'));
    expect((await stack.cli(['reload'])).exitCode).toBe(0);
    const waiting = postJson(`${stack.serveUrl}/v1/completions`, { model: 'slow', prompt: 'x' });
    await waitFor(async () => (await stack.status())[0]!.state === 'starting', 'slow starting on demand', 20_000);
    const stop = await stack.cli(['stop', 'slow']);
    expect(stop.exitCode, stop.stderr).toBe(0);
    const answer = await waiting;
    expect(answer.status, answer.text).toBe(503);
    expect(answer.json.error).toMatchObject({ code: 'service_unavailable', message: 'slow was stopped while it was starting (stopped by hand): send the request again to start it again' });
  }, 90_000);
});
