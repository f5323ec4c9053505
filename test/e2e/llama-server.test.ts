import fs from 'node:fs';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { cleanupAll, llamaServerCommand, makeStack, REAL_LLAMA_SERVER, TINY_GGUF, waitFor, warnings } from '../helpers/stack.js';

// Runs against a real llama.cpp llama-server when LLAMA_SERVER names one (.ci/run builds build 4748), else
// against the fixture that speaks the same endpoints and log lines. The assertions are the same for both.
afterEach(cleanupAll);

const against = REAL_LLAMA_SERVER ? `the real llama-server (${REAL_LLAMA_SERVER})` : 'the llama-server fixture (set LLAMA_SERVER for the real one)';

const llamaStack = (extra = '') => (ports: number[], dir: string) => {
  fs.copyFileSync(TINY_GGUF, path.join(dir, 'tiny.gguf'));
  return `restart: { maxRetries: 0 }
services:
  llama:
    kind: llama-server
    command: ${JSON.stringify(llamaServerCommand())}
    model: ./tiny.gguf
    port: ${ports[0]}
    args: [-t, "1"]
    stopTimeout: 5s
${extra}`;
};

describe(`llama-server kind against ${against}`, () => {
  it('starts, is ready on /health, serves /v1/models, /metrics and models --json with the GGUF header; stop is stopped', async () => {
    const stack = await makeStack(llamaStack(), 1);
    const start = await stack.cli(['start']);
    expect(warnings(start.stderr)).toEqual([]);
    expect(start.exitCode).toBe(0);
    const [llama] = await stack.status();
    expect(llama).toMatchObject({ state: 'ready', kind: 'llama-server' });
    const models = await fetch(`http://127.0.0.1:${stack.ports[0]}/v1/models`).then((r) => r.json() as Promise<{ data: Array<{ id: string }> }>);
    expect(models.data[0]!.id).toMatch(/tiny\.gguf$/);
    const metrics = await fetch(`http://127.0.0.1:${stack.ports[0]}/metrics`).then((r) => r.text());
    expect(metrics).toMatch(/^llamacpp:tokens_predicted_total \d+/m);
    const run = await stack.cli(['models', '--json']);
    expect(run.exitCode).toBe(0);
    const [entry] = JSON.parse(run.stdout).services;
    expect(entry.served[0]).toMatch(/tiny\.gguf$/);
    expect(entry.gguf).toMatchObject({ architecture: 'llama', parameterCount: 4178240, contextLength: 512 });
    // Generation moves the token counters that status turns into tok/s.
    const stats = await waitFor(async () => {
      await fetch(`http://127.0.0.1:${stack.ports[0]}/completion`, { method: 'POST', body: JSON.stringify({ prompt: 'hello', n_predict: 16 }) });
      const s = (await stack.status())[0]!;
      return s.llm?.generationTokensPerSecond ? s.llm : null;
    }, 'token rate from /metrics');
    expect(stats.metricsEnabled).toBe(true);
    expect(stats.generationTokensPerSecond).toBeGreaterThan(0);
    // Build 4748 dies by SIGABRT on SIGTERM: a stop that was asked for is `stopped` all the same.
    const pid = llama!.pid as number;
    const stop = await stack.cli(['stop', 'llama']);
    expect(stop.exitCode).toBe(0);
    const [after] = await stack.status();
    expect(after).toMatchObject({ state: 'stopped', pid: null });
    expect(fs.existsSync(`/proc/${pid}`)).toBe(false);
  });

  it('a model file that is not a loadable GGUF ends in SIGABRT and lastError quotes the line that says why', async () => {
    const stack = await makeStack(llamaStack(), 1);
    const model = path.join(stack.dir, 'tiny.gguf');
    fs.writeFileSync(model, fs.readFileSync(model).subarray(0, 50_000));
    const start = await stack.cli(['start']);
    expect(start.exitCode).toBe(1);
    const [llama] = await stack.status();
    expect(llama!.state).toBe('error');
    expect(llama!.lastError).toMatch(/SIGABRT/);
    expect(llama!.lastError).toMatch(/failed to/);
  });
});
