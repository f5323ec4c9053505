import { execa } from 'execa';
import { afterEach, describe, expect, it } from 'vitest';
import { canConnect } from '../../src/process/ports.js';
import { ProcTable } from '../../src/process/proc-table.js';
import { answers, cleanupAll, fixture, isAlive, makeStack, NODE, threeServices, waitFor } from '../helpers/stack.js';

afterEach(cleanupAll);

describe('crash recovery', () => {
  it('restarts a crashing service with backoff, then gives up with the exit code and the log line; start resets it', async () => {
    // It crashes 1 s after its first answer (the readiness probe): ready before it crashes, however slow the machine.
    const stack = await makeStack(threeServices({ ollama: '    args: [--crash-after-ready-ms, "1000", --crash-code, "3"]\n    restart: { maxRetries: 2, backoff: 200ms }' }));
    const events = stack.spawnCli(['events', '--json']);
    let lines = '';
    events.stdout!.on('data', (chunk) => (lines += chunk));
    await waitFor(() => lines !== '' || stack.cli(['daemon', 'status', '--json']).then((r) => JSON.parse(r.stdout).running), 'events to connect');
    const start = await stack.cli(['start', 'ollama']);
    expect(start.exitCode).toBe(0); // it was ready before it crashed
    const failed = await waitFor(async () => {
      const s = (await stack.status())[1]!;
      return s.state === 'error' ? s : null;
    }, 'ollama to give up');
    expect(failed.retries).toBe(3);
    expect(failed.restarts).toBe(2);
    expect(failed.exitCode).toBe(3);
    expect(failed.lastError).toMatch(/exited with code 3: fatal error: simulated crash \(exit 3\) \(gave up after 2 retries\)/);
    const parsed = lines.trim().split('\n').map((l) => JSON.parse(l));
    const transitions = parsed.filter((e) => e.service === 'ollama').map((e) => `${e.from}>${e.to}`);
    expect(transitions).toContain('ready>crashed');
    expect(transitions).toContain('crashed>starting');
    expect(transitions.at(-1)).toBe('ready>error');
    // The retry countdown is visible while crashed.
    const crashed = parsed.find((e) => e.to === 'crashed');
    expect(crashed.status.nextRetryAt).not.toBeNull();
    const again = await stack.cli(['start', 'ollama']);
    expect(again.exitCode).toBe(0);
    // The start reset the count: the event of its start says so (a status read later may see the next crash already).
    const restarted = await waitFor(() => {
      const all = lines.trim().split('\n').map((l) => JSON.parse(l));
      return all.find((e, i) => i > parsed.length - 1 && e.service === 'ollama' && e.from === 'error' && e.to === 'starting');
    }, 'the event of the new start');
    expect(restarted.status.retries).toBe(0);
    events.kill('SIGINT');
    await events;
  });

  it('a ready service failing its liveness probe becomes unhealthy and is restarted', async () => {
    const stack = await makeStack(threeServices({ ollama: '    args: [--hang-after-ready-ms, "600"]\n    health: { interval: 200ms, timeout: 300ms, failureThreshold: 2 }' }));
    expect((await stack.cli(['start', 'ollama'])).exitCode).toBe(0);
    const first = (await stack.status())[1]!;
    const restarted = await waitFor(async () => {
      const s = (await stack.status())[1]!;
      return s.pid !== first.pid && s.pid !== null ? s : null;
    }, 'a restart after the hang');
    expect(restarted.lastError).toMatch(/liveness probe failed 2 times: no answer within 300ms/);
    expect(isAlive(first.pid)).toBe(false);
  });

  it('a missing binary is an error with that message, not a crash loop', async () => {
    const stack = await makeStack(threeServices({ ollama: '    restart: { backoff: 100ms }' }));
    const withMissing = (await import('node:fs')).readFileSync(stack.configFile, 'utf8').replace(/command: \[.*fake-ollama\.mjs"\]/, 'command: ollama-does-not-exist');
    (await import('node:fs')).writeFileSync(stack.configFile, withMissing);
    // the CLI's preflight refuses with exit 2 …
    const run = await stack.cli(['start', 'ollama']);
    expect(run.exitCode).toBe(2);
    expect(run.stderr).toMatch(/service ollama: ollama-does-not-exist: not found on PATH \(install it, or set services\.ollama\.command/);
  });
});

describe('stop', () => {
  it('SIGKILLs a service that ignores SIGTERM after stopTimeout, and a llama-server dying by SIGABRT on SIGTERM is "stopped"', async () => {
    const stack = await makeStack(threeServices({ ollama: '    args: [--ignore-sigterm]\n    stopTimeout: 500ms', llama: '    args: [--abort-on-sigterm]' }));
    expect((await stack.cli(['start', 'ollama', 'llama'])).exitCode).toBe(0);
    const [llama, ollama] = await stack.status();
    const stop = await stack.cli(['stop', 'ollama', 'llama']);
    expect(stop.exitCode).toBe(0);
    expect(isAlive(ollama!.pid)).toBe(false);
    expect(isAlive(llama!.pid)).toBe(false);
    const [llamaAfter, ollamaAfter] = await stack.status();
    expect(llamaAfter!.state).toBe('stopped');
    expect(llamaAfter!.signal).toBe('SIGABRT');
    expect(llamaAfter!.lastError).toBeNull();
    expect(ollamaAfter!.state).toBe('stopped');
    expect(ollamaAfter!.signal).toBe('SIGKILL');
  });

  it('is done only when every descendant is gone: a grandchild that left the group and ignores SIGTERM', async () => {
    const stack = await makeStack(threeServices({ ollama: '    args: [--grandchild]\n    stopTimeout: 700ms' }));
    expect((await stack.cli(['start', 'ollama'])).exitCode).toBe(0);
    const ollama = (await stack.status())[1]!;
    const tree = ProcTable.read().tree(ollama.pid);
    expect(tree.length).toBeGreaterThanOrEqual(2);
    expect(ollama.processCount ?? tree.length).toBeGreaterThanOrEqual(1);
    expect((await stack.cli(['stop', 'ollama'])).exitCode).toBe(0);
    for (const pid of tree) expect(isAlive(pid)).toBe(false);
    expect(await canConnect('127.0.0.1', stack.ports[1]!)).toBe(false);
  });

  it('a crashed leader whose grandchild keeps the port: the grandchild is cleared before the restart', async () => {
    const stack = await makeStack(threeServices({ ollama: '    args: [--grandchild]\n    restart: { maxRetries: 0 }' }));
    expect((await stack.cli(['start', 'ollama'])).exitCode).toBe(0);
    // Wait until the sampler has seen the grandchild: it is in the tree now, and gone from it once the leader dies.
    const ollama = await waitFor(async () => {
      const s = (await stack.status())[1]!;
      return s.processCount >= 2 ? s : null;
    }, 'the tree to be sampled');
    const tree = ProcTable.read().tree(ollama.pid);
    expect(tree.length).toBe(2);
    process.kill(ollama.pid, 'SIGKILL');
    await waitFor(async () => (await stack.status())[1]!.state === 'error', 'the crash to be seen');
    for (const pid of tree) expect(isAlive(pid)).toBe(false);
    expect(await answers(stack.ports[1]!, '/api/version')).toBe(false);
  });
});

describe('port safety', () => {
  it('refuses a port held by a foreign process, naming pid and program, and kills nothing', async () => {
    const stack = await makeStack(threeServices());
    const squatter = execa(NODE, ['-e', `require('net').createServer().listen(${stack.ports[0]}, '127.0.0.1', () => console.log('up'))`], { reject: false });
    await waitFor(() => canConnect('127.0.0.1', stack.ports[0]!), 'squatter listening');
    const run = await stack.cli(['start', 'llama']);
    expect(run.exitCode).toBe(1);
    expect(run.stdout).toContain(`port ${stack.ports[0]} is in use by pid ${squatter.pid} (node)`);
    expect(isAlive(squatter.pid!)).toBe(true);
    squatter.kill('SIGKILL');
    await squatter;
  });

  it('adopts a healthy server of the same kind as external, and refuses to stop or restart it', async () => {
    const stack = await makeStack(threeServices());
    const foreign = execa(NODE, [fixture('fake-ollama.mjs')], { env: { OLLAMA_HOST: `127.0.0.1:${stack.ports[1]}` }, reject: false });
    await waitFor(() => answers(stack.ports[1]!, '/api/version'), 'foreign ollama');
    const run = await stack.cli(['start', 'ollama']);
    expect(run.exitCode).toBe(0);
    expect(run.stdout).toMatch(/external/);
    const s = (await stack.status())[1]!;
    expect(s.state).toBe('external');
    expect(s.pid).toBe(foreign.pid);
    for (const verb of ['stop', 'restart', 'kill']) {
      const refused = await stack.cli([verb, 'ollama']);
      expect(refused.exitCode).toBe(1);
      expect(refused.stderr).toMatch(/ollama is external: the server on port \d+ \(pid \d+\) was not started by llama-top/);
    }
    expect((await stack.cli(['stop'])).exitCode).toBe(0);
    expect(isAlive(foreign.pid!)).toBe(true);
    foreign.kill('SIGKILL');
    await foreign;
  });
});
