import { afterEach, describe, expect, it } from 'vitest';
import { cleanupAll, fixture, makeStack, NODE } from '../helpers/stack.js';

afterEach(cleanupAll);

/** `web` (a process), and `ghost`: a llama-server with autostart: false whose model file is missing. */
const stack = (web: string) => (ports: number[]) => `restart: { maxRetries: 0 }
services:
  web:
    kind: process
    command: ${JSON.stringify(web)}
    autostart: false
  ghost:
    kind: llama-server
    command: [${JSON.stringify(NODE)}, ${JSON.stringify(fixture('fake-llama-server.mjs'))}]
    model: ./missing.gguf
    port: ${ports[0]}
    autostart: false
`;

describe('start (nothing autostarts, so every service) with one that cannot start and is not meant to', () => {
  it('starts the rest and exits 0, saying what ghost lacks; exit 1 still when a service that was to start fails', async () => {
    const ok = await makeStack(stack(`${NODE} -e "setInterval(() => {}, 1000)"`), 1);
    const start = await ok.cli(['start']);
    expect(start.exitCode, start.stderr).toBe(0);
    expect(start.stdout).toMatch(/^✓ web ready in/m);
    expect(start.stderr).toMatch(/^llama-top: ghost not started \(autostart: false\): model file .*missing\.gguf does not exist/m);
    expect(start.stderr).not.toMatch(/service ghost:/);
    expect((await ok.status()).map((s) => [s.name, s.state])).toEqual([['web', 'ready'], ['ghost', 'stopped']]);

    const bad = await makeStack(stack(`${NODE} -e "process.exit(3)"`), 1);
    const failed = await bad.cli(['start']);
    expect(failed.exitCode, failed.stdout).toBe(1);
    expect(failed.stdout).toMatch(/^✗ web: exited with code 3/m);
  }, 60_000);
});
