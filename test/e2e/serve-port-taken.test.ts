import fs from 'node:fs';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { cleanupAll, fixture, makeStack, NODE, TINY_GGUF, waitFor } from '../helpers/stack.js';

afterEach(cleanupAll);

/** A stack whose serve endpoint listens on `port` (its own free port when null), with one fixture llama-server. */
const serveStack = (port: number | null, service: string) => (ports: number[]) => `
serve: { listen: 127.0.0.1:${port ?? ports[1]} }
services:
  llama:
    kind: llama-server
    command: [${JSON.stringify(NODE)}, ${JSON.stringify(fixture('fake-llama-server.mjs'))}]
    model: ${JSON.stringify(TINY_GGUF)}
    port: ${ports[0]}
${service}
`;

const daemonLog = (stateDir: string) => fs.readFileSync(path.join(stateDir, 'daemon.log'), 'utf8');

describe('start when the serve port is taken', () => {
  it('by a llama-top daemon that runs on: says whose it is and how to stop it (after a bounded wait)', async () => {
    const a = await makeStack(serveStack(null, '    autostart: false'), 2);
    expect((await a.cli(['start'])).exitCode).toBe(0);
    const aPid = JSON.parse((await a.cli(['daemon', 'status', '--json'])).stdout).pid;
    const b = await makeStack(serveStack(a.ports[1]!, '    autostart: false'), 2);
    const start = await b.cli(['start']);
    expect(start.exitCode).toBe(1);
    expect(start.stderr).toContain(
      `serve: cannot listen on 127.0.0.1:${a.ports[1]}: port ${a.ports[1]} is held by pid ${aPid}, the llama-top daemon of ${a.configFile} (still held after 3.`,
    );
    expect(start.stderr).toContain(`stop that daemon (llama-top daemon stop --config ${a.configFile}) or change serve.listen in ${b.configFile}, then llama-top reload`);
  }, 60_000);

  it('by a llama-top daemon on its way out: waits for it to let go, then listens', async () => {
    // A's daemon exits only once its service is gone: one that ignores SIGTERM (its stopTimeout is long), until the
    // test kills it, once B's daemon has found the port held and waits.
    const a = await makeStack(serveStack(null, '    args: [--ignore-sigterm]\n    stopTimeout: 60s'), 2);
    expect((await a.cli(['start'])).exitCode).toBe(0);
    const [llama] = await a.status();
    const b = await makeStack(serveStack(a.ports[1]!, '    autostart: false'), 2);
    const stopping = a.cli(['daemon', 'stop', '--all'], { timeout: 30_000 });
    await waitFor(() => /daemon stopping: daemon stop --all/.test(daemonLog(a.stateDir())), "A's daemon on its way out", 20_000, 20);
    const starting = b.cli(['start']);
    await waitFor(() => { try { return /waiting up to 3 s for it to let go/.test(daemonLog(b.stateDir())); } catch { return false; } }, "B's daemon waiting for the port", 20_000, 10);
    process.kill(llama!.pid, 'SIGKILL');
    const start = await starting;
    expect(start.stderr).toBe('');
    expect(start.exitCode).toBe(0);
    expect(start.stdout).toContain(`serving on http://127.0.0.1:${a.ports[1]}/v1`);
    expect(daemonLog(b.stateDir())).toMatch(new RegExp(`serve: 127\\.0\\.0\\.1:${a.ports[1]} was held by a llama-top daemon on its way out: listening after \\d+ ms`));
    expect((await stopping).exitCode).toBe(0);
  }, 60_000);
});
