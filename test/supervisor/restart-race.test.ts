import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { spawn, type ChildProcess } from 'node:child_process';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
// The built code: a service's log writer is a script of its own (dist/logs/log-writer.js).
import { parseConfigText } from '../../dist/config/load.js';
import { Supervisor } from '../../dist/supervisor/supervisor.js';
import { findFreePorts, fixture, NODE, REAL_LLAMA_SERVER, TINY_GGUF } from '../helpers/stack.js';

// Back-to-back restarts of each fixture server under CPU load (two busy loops beside it): a restart must never
// find its own old process on the port. RESTART_STRESS=200 runs the full proof (run: 200/200 for each fixture and for
// the real llama-server b4748); the suite runs a few.
const RUNS = Number(process.env.RESTART_STRESS) || 6;
const busy: ChildProcess[] = [];
beforeAll(() => {
  for (let i = 0; i < 2; i++) busy.push(spawn(NODE, ['-e', 'for(;;);'], { stdio: 'ignore' }));
});
afterAll(() => {
  for (const b of busy) b.kill('SIGKILL');
});

const servers: Record<string, (port: number) => string> = {
  'fake llama-server': (port: number) => `kind: llama-server\n    command: [${JSON.stringify(NODE)}, ${JSON.stringify(fixture('fake-llama-server.mjs'))}]\n    model: ${JSON.stringify(TINY_GGUF)}\n    port: ${port}`,
  'fake ollama': (port: number) => `kind: ollama\n    command: [${JSON.stringify(NODE)}, ${JSON.stringify(fixture('fake-ollama.mjs'))}]\n    port: ${port}`,
  'fake chat app': (port: number) => `kind: app\n    command: [${JSON.stringify(NODE)}, ${JSON.stringify(fixture('fake-chat-app.mjs'))}, --port, "${port}"]\n    port: ${port}\n    health: { http: /health }`,
  // the real llama.cpp binary when CI names it (LLAMA_SERVER): its own bind (SO_REUSEPORT), its own exit
  ...(REAL_LLAMA_SERVER
    ? { 'real llama-server': (port: number) => `kind: llama-server\n    command: [${JSON.stringify(REAL_LLAMA_SERVER)}]\n    model: ${JSON.stringify(TINY_GGUF)}\n    port: ${port}\n    args: [-c, "256", -t, "1"]` }
    : {}),
};

describe('a restart waits for the whole old process, not only its leader thread', () => {
  it('a server whose main thread exits first (a zombie in /proc) still holding the port: the restart waits, then binds', async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'lt-restart-race-'));
    const [port] = await findFreePorts(1);
    const script = fixture('leader-exits-first.py');
    const config = parseConfigText(
      `services:\n  s:\n    kind: app\n    command: [python3, ${JSON.stringify(script)}, "${port}", "1.5"]\n    port: ${port}\n    health: { tcp: true }\n    stopTimeout: 5s\n`,
      path.join(dir, 'llama-top.yaml'),
      () => path.join(dir, 'logs'),
    );
    const sup = new Supervisor(config);
    try {
      const [first] = await sup.start(['s']);
      expect(first, first?.error ?? '').toMatchObject({ ok: true });
      const oldPid = sup.status()[0]!.pid;
      const began = Date.now();
      const [restarted] = await sup.start(['s'], 'restart');
      expect(restarted, restarted?.error ?? '').toMatchObject({ ok: true, state: 'ready' });
      // the old process's last thread held the port for 1.5 s after its leader exited: the stop waited for it
      expect(Date.now() - began).toBeGreaterThanOrEqual(1400);
      expect(sup.status()[0]).toMatchObject({ state: 'ready', lastError: null });
      expect(sup.status()[0]!.pid).not.toBe(oldPid);
    } finally {
      await sup.stop([], true);
      sup.dispose();
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe(`${RUNS} back-to-back restarts under CPU load`, () => {
  for (const [label, service] of Object.entries(servers)) {
    it(`${label}: every restart is ready, none finds the port taken`, async () => {
      const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'lt-restart-race-'));
      const [port] = await findFreePorts(1);
      const config = parseConfigText(`services:\n  s:\n    ${service(port!)}\n    stopTimeout: 5s\n`, path.join(dir, 'llama-top.yaml'), () => path.join(dir, 'logs'));
      const sup = new Supervisor(config);
      const failures: string[] = [];
      try {
        const [first] = await sup.start(['s']);
        expect(first, first?.error ?? '').toMatchObject({ ok: true });
        const pids = new Set([sup.status()[0]!.pid]);
        for (let i = 0; i < RUNS; i++) {
          const [outcome] = await sup.start(['s'], 'restart');
          pids.add(sup.status()[0]!.pid);
          if (!outcome!.ok) {
            failures.push(`restart ${i + 1}: ${outcome!.error}`);
            // let it settle (a failed start is an error state) before the next round
            await sup.start(['s']);
          }
        }
        const [status] = sup.status();
        expect(status).toMatchObject({ state: 'ready', lastError: null });
        expect(pids.size, 'a new process each time').toBe(RUNS + 1);
      } finally {
        await sup.stop([], true);
        sup.dispose();
        fs.rmSync(dir, { recursive: true, force: true });
      }
      expect(failures).toEqual([]);
    }, Math.max(120_000, RUNS * 6000));
  }
});
