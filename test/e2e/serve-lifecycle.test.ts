import fs from 'node:fs';
import { afterEach, describe, expect, it } from 'vitest';
import { cleanupAll, REAL_LLAMA_SERVER, waitFor } from '../helpers/stack.js';
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

  it('a reload that changes idleStop re-times the countdown that runs (the old one does not run on)', async () => {
    const stack = await makeServeStack([{ name: 'alpha', idleStop: '10m' }]);
    expect((await stack.cli(['start'])).exitCode).toBe(0);
    const touched = Date.now();
    expect((await postJson(`${stack.serveUrl}/v1/chat/completions`, chat('alpha'))).status).toBe(200);
    const [before] = await stack.status();
    expect(Date.parse(before!.serve.idleStopAt)).toBeGreaterThan(Date.now() + 9 * 60_000);

    fs.writeFileSync(stack.configFile, fs.readFileSync(stack.configFile, 'utf8').replace('idleStop: 10m', 'idleStop: 5s'));
    const reload = await stack.cli(['reload']);
    expect(reload.exitCode, reload.stderr).toBe(0);
    expect(reload.stdout).toContain('unchanged (still running, same pid): alpha');
    const [after] = await stack.status();
    if (after!.state === 'ready') expect(Date.parse(after!.serve.idleStopAt)).toBeLessThanOrEqual(touched + 60_000);
    const stopped = await waitFor(async () => {
      const [s] = await stack.status();
      return s!.state === 'stopped' ? s : null;
    }, 'the idle stop after 5s (the new idleStop)', 30_000, 200);
    expect(stopped.stopReason).toBe('idle 5s');
    expect(stopped.lastError).toBeNull();
  });
});
