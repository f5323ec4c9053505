import fs from 'node:fs';
import path from 'node:path';
import { execa } from 'execa';
import { afterEach, describe, expect, it } from 'vitest';
import { canConnect } from '../../src/process/ports.js';
import { cleanupAll, fixture, makeStack, NODE, waitFor } from '../helpers/stack.js';

afterEach(cleanupAll);

// #18 item 1: after a failed start, a later success clears what the failure left: lastError, and daemon.log tells
// the error once, not with every later transition. (The TUI's status line: test/tui/logic.test.ts.)
describe('a success settles an earlier failure', () => {
  it('a start refused for a taken port, then a start once it is free: ready with no lastError, the port message once in daemon.log', async () => {
    const stack = await makeStack((ports) => `
services:
  chat:
    kind: app
    command: [${JSON.stringify(NODE)}, ${JSON.stringify(fixture('fake-chat-app.mjs'))}, --port, "${ports[0]}"]
    port: ${ports[0]}
    health: { http: /health }
    stopTimeout: 3s
`, 1);
    const port = stack.ports[0]!;
    const squatter = execa(NODE, ['-e', `require('net').createServer().listen(${port}, '127.0.0.1')`], { reject: false });
    try {
      await waitFor(() => canConnect('127.0.0.1', port), 'the squatter listening');
      const refused = await stack.cli(['start', 'chat']);
      expect(refused.exitCode).toBe(1);
      const message = `port ${port} is in use by pid ${squatter.pid} (node)`;
      expect(refused.stdout).toContain(message);
      expect((await stack.status())[0]).toMatchObject({ state: 'error', lastError: expect.stringContaining(message) });
    } finally {
      squatter.kill('SIGKILL');
      await squatter;
    }
    await waitFor(async () => !(await canConnect('127.0.0.1', port)), 'the port free');
    const started = await stack.cli(['start', 'chat']);
    expect(started.exitCode, started.stdout + started.stderr).toBe(0);
    expect((await stack.status())[0]).toMatchObject({ state: 'ready', lastError: null, lastErrorAt: null });
    // More transitions after the success: none of their lines repeats the old error.
    expect((await stack.cli(['restart', 'chat'])).exitCode).toBe(0);
    const daemonLog = path.join(stack.stateDir(), 'daemon.log');
    const lines = await waitFor(() => {
      const all = fs.readFileSync(daemonLog, 'utf8').split('\n').filter((l) => /chat: \w+ -> \w+/.test(l));
      return all.filter((l) => /-> ready/.test(l)).length >= 2 ? all : null;
    }, 'the restart to be logged');
    expect(lines.filter((l) => l.includes(`port ${port} is in use`))).toHaveLength(1);
    expect(lines.filter((l) => /-> ready/.test(l)).every((l) => !/\(/.test(l.replace(/^.*?chat: /, '')))).toBe(true);
  });

  it('a crash is told once in daemon.log: the recovery and a later restart do not repeat it', async () => {
    const stack = await makeStack((ports) => `
restart: { backoff: 200ms }
services:
  ollama:
    kind: ollama
    command: [${JSON.stringify(NODE)}, ${JSON.stringify(fixture('fake-ollama.mjs'))}]
    port: ${ports[0]}
    stopTimeout: 3s
`, 1);
    expect((await stack.cli(['start', 'ollama'])).exitCode).toBe(0);
    const first = (await stack.status())[0]!;
    process.kill(first.pid, 'SIGKILL');
    const recovered = await waitFor(async () => {
      const s = (await stack.status())[0]!;
      return s.state === 'ready' && s.pid !== first.pid ? s : null;
    }, 'the recovery');
    expect(recovered.lastError).toMatch(/SIGKILL/); // why it restarted, kept while it runs on
    expect((await stack.cli(['restart', 'ollama'])).exitCode).toBe(0);
    expect((await stack.status())[0]).toMatchObject({ state: 'ready', lastError: null });
    const daemonLog = path.join(stack.stateDir(), 'daemon.log');
    const lines = await waitFor(() => {
      const all = fs.readFileSync(daemonLog, 'utf8').split('\n').filter((l) => /ollama: \w+ -> \w+/.test(l));
      return all.filter((l) => /-> ready/.test(l)).length >= 3 ? all : null;
    }, 'the restart to be logged');
    expect(lines.filter((l) => /SIGKILL/.test(l)), lines.join('\n')).toHaveLength(1);
  });
});
