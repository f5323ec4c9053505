import fs from 'node:fs';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { cleanupAll, fixture, makeStack, NODE, TINY_GGUF, waitFor } from '../helpers/stack.js';

afterEach(cleanupAll);

/** What newer llama-server builds do (the fixture speaks it; the real build 4748 in CI proves the older path). */
describe('newer llama-server builds: router mode and sleeping', () => {
  it('router mode (no -m, --models-dir): status and models show each model and its state', async () => {
    const stack = await makeStack((ports, dir) => {
      fs.mkdirSync(path.join(dir, 'models'));
      for (const name of ['alpha', 'beta', 'gamma']) fs.copyFileSync(TINY_GGUF, path.join(dir, 'models', `${name}.gguf`));
      return `services:
  router:
    kind: llama-server
    command: [${JSON.stringify(NODE)}, ${JSON.stringify(fixture('fake-llama-server.mjs'))}]
    modelsDir: ./models
    port: ${ports[0]}
    args: [--fail-model, gamma.gguf]
`;
    }, 1);
    const start = await stack.cli(['start']);
    expect(start.exitCode, start.stderr).toBe(0);
    const log = (await stack.cli(['logs', 'router'])).stdout;
    expect(log).toMatch(/router mode: models from .*\/models/); // started with --models-dir, no -m
    await waitFor(async () => /router: alpha \(1 failed, 1 unloaded\)/.test((await stack.cli(['status'])).stdout), 'the router models in status');
    const models = await stack.cli(['models']);
    expect(models.stdout).toBe('router (llama-server, router mode)\n  alpha                            loaded\n  beta                             unloaded\n  gamma                            failed');
    const both = await makeStack(() => 'services:\n  x: { kind: llama-server, model: /m.gguf, modelsDir: /models }\n', 0);
    expect((await both.cli(['status'])).stderr).toMatch(/services\.x\.modelsDir: give model \(one model\) or modelsDir/);
  });

  it('--sleep-idle-seconds: an asleep server shows "sleeping", stays ready, and is not woken by the inference check', async () => {
    const stack = await makeStack((ports) => `services:
  llama:
    kind: llama-server
    command: [${JSON.stringify(NODE)}, ${JSON.stringify(fixture('fake-llama-server.mjs'))}]
    model: ${JSON.stringify(TINY_GGUF)}
    port: ${ports[0]}
    args: [--sleep-idle-seconds, "1"]
    health: { interval: 300ms, inference: { interval: 300ms, timeout: 300ms }, failureThreshold: 1 }
`, 1);
    expect((await stack.cli(['start'])).exitCode).toBe(0);
    await waitFor(async () => /llama\s+llama-server\s+ready .*sleeping \(model unloaded while idle/.test((await stack.cli(['status'])).stdout), 'sleeping in status', 15_000);
    // Several inference intervals asleep: seen twice more, still ready, never restarted, never woken.
    for (let i = 0; i < 2; i++) expect((await stack.cli(['status'])).stdout).toMatch(/ready .*sleeping/);
    expect((await stack.status())[0]).toMatchObject({ state: 'ready', restarts: 0 });
    expect((await stack.cli(['logs', 'llama'])).stdout).not.toMatch(/leaving sleep mode/);
    await fetch(`http://127.0.0.1:${stack.ports[0]}/completion`, { method: 'POST', body: '{"prompt":"hi","n_predict":1}' });
    expect((await stack.cli(['logs', 'llama'])).stdout).toMatch(/leaving sleep mode/);
  });
});
