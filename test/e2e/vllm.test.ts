import { execa } from 'execa';
import { afterEach, describe, expect, it } from 'vitest';
import { answers, cleanupAll, fixture, isAlive, makeStack, NODE, waitFor } from '../helpers/stack.js';

afterEach(cleanupAll);

const vllmStack = () => (ports: number[]) => `
services:
  vllm:
    kind: vllm
    command: [${JSON.stringify(NODE)}, ${JSON.stringify(fixture('fake-vllm.mjs'))}]
    model: Qwen/Qwen2.5-1.5B-Instruct
    port: ${ports[0]}
    args: [--load-ms, "700"]
`;

describe('the vllm kind (a fifth kind: one module and one registry line)', () => {
  it('runs vllm serve MODEL --host --port, is ready on /health, lists /v1/models, and shows its /metrics', async () => {
    const stack = await makeStack(vllmStack(), 1);
    const start = await stack.cli(['start']);
    expect(start.exitCode, start.stderr).toBe(0);
    expect(start.stdout).toMatch(/✓ vllm ready in \d+\.\ds \(pid \d+, port \d+\)/);
    const [vllm] = await stack.status();
    expect(vllm).toMatchObject({ kind: 'vllm', state: 'ready', model: 'Qwen/Qwen2.5-1.5B-Instruct' }); // a name, not a path
    const models = await stack.cli(['models']);
    expect(models.stdout).toBe(`vllm (vllm)\n  Qwen/Qwen2.5-1.5B-Instruct  context 4096`);
    expect(JSON.parse((await stack.cli(['models', '--json'])).stdout).services[0]).toMatchObject({ kind: 'vllm', served: [{ id: 'Qwen/Qwen2.5-1.5B-Instruct', maxModelLen: 4096 }] });
    // traffic: the counters move, and status shows throughput and running requests
    let status = '';
    await waitFor(async () => {
      await fetch(`http://127.0.0.1:${stack.ports[0]}/v1/chat/completions`, { method: 'POST', body: '{}' });
      status = (await stack.cli(['status'])).stdout;
      return /vllm\s+vllm\s+ready.*\d+(\.\d)? tok\/s · 0 running · KV 0%/.test(status);
    }, 'vllm tok/s in status', 20_000);
    const log = await stack.cli(['logs', 'vllm', '-n', '100']);
    expect(log.stdout).toMatch(/Uvicorn running on http:\/\/127\.0\.0\.1:\d+/);
    expect(await answers(stack.ports[0]!, '/health')).toBe(true);
  });

  it('adopts a vLLM already on the port as external (shown, never signalled), and refuses a config without a model', async () => {
    const stack = await makeStack(vllmStack(), 1);
    const outside = execa(NODE, [fixture('fake-vllm.mjs'), 'serve', 'other/model', '--host', '127.0.0.1', '--port', String(stack.ports[0])], { reject: false });
    try {
      await waitFor(() => answers(stack.ports[0]!, '/health'), 'the outside vLLM up');
      expect((await stack.cli(['start'])).exitCode).toBe(0);
      expect((await stack.status())[0]).toMatchObject({ state: 'external', pid: outside.pid });
      expect((await stack.cli(['stop'])).exitCode).toBe(0);
      expect(isAlive(outside.pid!)).toBe(true); // still running: not ours to stop
    } finally {
      outside.kill('SIGKILL');
    }
    const bad = await makeStack(() => 'services:\n  v: { kind: vllm, port: 8000 }\n', 0);
    const run = await bad.cli(['status']);
    expect(run.exitCode).toBe(2);
    expect(run.stderr).toMatch(/services\.v\.model: vllm needs a model: a Hugging Face name/);
  });
});
