import fs from 'node:fs';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { cleanupAll, llamaServerCommand, makeStack, REAL_LLAMA_SERVER, TINY_GGUF, waitFor } from '../helpers/stack.js';

// A client's ollama keep_alive and the service's idleStop: status names whose countdown runs, and a reload that
// changes idleStop (a new server process) goes back to the configured value.
afterEach(cleanupAll);

const against = REAL_LLAMA_SERVER ? `the real llama-server (${REAL_LLAMA_SERVER})` : 'the llama-server fixture (set LLAMA_SERVER for the real one)';

const config = (idleStop: string) => (ports: number[], dir: string) => {
  if (!fs.existsSync(path.join(dir, 'tiny.gguf'))) fs.copyFileSync(TINY_GGUF, path.join(dir, 'tiny.gguf'));
  return `restart: { maxRetries: 0 }
serve: { listen: 127.0.0.1:${ports[1]} }
services:
  llama:
    kind: llama-server
    command: ${JSON.stringify(llamaServerCommand())}
    model: ./tiny.gguf
    port: ${ports[0]}
    args: ["-t", "1"]
    models: [tiny]
    autostart: false
    idleStop: ${idleStop}
    stopTimeout: 5s
`;
};

describe(`keep_alive vs idleStop, against ${against}`, () => {
  it("status says a countdown is the client's keep_alive; a reload that changes idleStop goes back to it", async () => {
    const stack = await makeStack(config('10m'), 2);
    expect((await stack.cli(['start'])).exitCode).toBe(0);
    const base = `http://127.0.0.1:${stack.ports[1]}`;
    const res = await fetch(`${base}/api/generate`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ model: 'tiny', prompt: 'Hi', stream: false, keep_alive: '30m', options: { num_predict: 2 } }),
    });
    expect(res.status).toBe(200);
    await res.json();
    const llama = async () => (await stack.status()).find((s) => s.name === 'llama')!;
    await waitFor(async () => (await llama()).serve?.idleStopBy === 'keep_alive', 'the countdown to be the keep_alive one');
    const table = await stack.cli(['status']);
    expect(table.stdout).toMatch(/llama\s+llama-server\s+ready\s.*idle stop in (29|30)m \(keep_alive\)/);

    // The reload changes idleStop: llama restarts, and the fresh server counts with the configured 20s.
    fs.writeFileSync(stack.configFile, config('20s')(stack.ports, stack.dir));
    const reload = await stack.cli(['reload']);
    expect(reload.exitCode, reload.stderr).toBe(0);
    await waitFor(async () => (await llama()).state === 'ready' && (await llama()).serve?.idleStopAt != null, 'llama ready again with a countdown');
    const after = await llama();
    expect(after.serve.idleStopBy).toBe('idleStop');
    expect(Date.parse(after.serve.idleStopAt) - Date.now()).toBeLessThanOrEqual(20_000);
    const again = await stack.cli(['status']);
    expect(again.stdout).toMatch(/idle stop in \d+s/);
    expect(again.stdout).not.toMatch(/keep_alive/);
  });
});
