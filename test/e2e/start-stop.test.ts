import fs from 'node:fs';
import { afterEach, describe, expect, it } from 'vitest';
import { answers, cleanupAll, isAlive, makeStack, threeServices, waitFor, warnings } from '../helpers/stack.js';

afterEach(cleanupAll);

describe('start / status / stop of a three-service stack', () => {
  it('starts the daemon, starts services in dependency order, returns 0 once all are ready', async () => {
    const stack = await makeStack(threeServices({ llama: '    args: [--load-ms, "800"]' }));
    const run = await stack.cli(['--headless', 'start']);
    expect(warnings(run.stderr)).toEqual([]);
    expect(run.stderr).toMatch(/^llama: loading model \(pid \d+/m);
    expect(run.exitCode).toBe(0);
    expect(run.stdout).toMatch(/✓ llama ready/);
    expect(run.stdout).toMatch(/✓ chat ready/);
    for (const port of stack.ports) expect(await answers(port, port === stack.ports[1] ? '/api/version' : '/health')).toBe(true);

    const services = await stack.status();
    expect(services.map((s) => s.name)).toEqual(['llama', 'ollama', 'chat']);
    for (const s of services) {
      for (const key of ['name', 'kind', 'state', 'pid', 'port', 'startedAt', 'uptimeSeconds', 'restarts', 'exitCode', 'signal', 'lastError', 'cpuPercent', 'memoryBytes'])
        expect(s).toHaveProperty(key);
      expect(s.state).toBe('ready');
      expect(isAlive(s.pid)).toBe(true);
    }
    // chat depends on llama, which loads for 800 ms: chat cannot have started before llama was ready.
    const [llama, , chat] = services;
    expect(Date.parse(chat!.startedAt)).toBeGreaterThanOrEqual(Date.parse(llama!.startedAt) + 800);
    // CPU and memory of the tree are sampled within 2 s.
    const sampled = await waitFor(async () => (await stack.status()).every((s) => s.memoryBytes > 1_000_000 && s.cpuPercent !== null), 'metrics');
    expect(sampled).toBe(true);

    const table = await stack.cli(['status']);
    expect(table.stdout).toMatch(/SERVICE\s+KIND\s+STATE\s+PID/);
    expect(table.stdout).toMatch(/llama\s+llama-server\s+ready/);

    const stop = await stack.cli(['stop']);
    expect(stop.exitCode).toBe(0);
    for (const s of services) expect(isAlive(s.pid)).toBe(false);
    await waitFor(async () => !JSON.parse((await stack.cli(['daemon', 'status', '--json'])).stdout).running, 'the daemon to exit after stop-all');
  });

  it('returns 1 naming the service and the reason when a service never gets ready', async () => {
    const stack = await makeStack(threeServices({ ollama: '    args: [--load-ms, "999999"]\n    health: { http: /nope }\n    startTimeout: 1500ms\n    restart: { maxRetries: 0 }' }));
    const run = await stack.cli(['start', 'ollama']);
    expect(run.exitCode).toBe(1);
    expect(run.stdout).toMatch(/✗ ollama: not ready after 2s \(last probe: GET \/nope answered 404/);
  });

  it('surfaces the log line that says why llama-server died (bad model path, SIGABRT)', async () => {
    const stack = await makeStack(threeServices());
    fs.rmSync(`${stack.dir}/tiny.gguf`);
    fs.writeFileSync(`${stack.dir}/tiny.gguf`, 'x'); // exists, so preflight passes; the fake checks again at load
    const config = fs.readFileSync(stack.configFile, 'utf8').replace('model: ./tiny.gguf', 'model: ./tiny.gguf\n    args: [-m, ./missing.gguf]');
    fs.writeFileSync(stack.configFile, config);
    const run = await stack.cli(['start', 'llama']);
    expect(run.exitCode).toBe(1);
    expect(run.stdout).toMatch(/✗ llama: killed by SIGABRT: .*failed to load model/);
    expect(run.stdout).toMatch(/last log lines/);
  });

  it('--no-wait returns before the service is ready', async () => {
    const stack = await makeStack(threeServices({ llama: '    args: [--load-ms, "3000"]' }));
    const run = await stack.cli(['start', 'llama', '--no-wait']);
    expect(run.exitCode).toBe(0);
    const [llama] = await stack.status();
    expect(['starting', 'stopped']).toContain(llama!.state);
    const ready = await waitFor(async () => (await stack.status())[0]!.state === 'ready', 'llama ready');
    expect(ready).toBe(true);
  });

  it('restart stops then starts with a new pid and waits for ready; kill force-stops', async () => {
    const stack = await makeStack(threeServices());
    expect((await stack.cli(['start', 'ollama'])).exitCode).toBe(0);
    const before = (await stack.status())[1]!;
    const restart = await stack.cli(['restart', 'ollama']);
    expect(restart.exitCode).toBe(0);
    const after = (await stack.status())[1]!;
    expect(after.state).toBe('ready');
    expect(after.pid).not.toBe(before.pid);
    expect(isAlive(before.pid)).toBe(false);
    expect(after.restarts).toBe(0); // a restart asked for is not a crash: the ↻ count stays
    const kill = await stack.cli(['kill', 'ollama']);
    expect(kill.exitCode).toBe(0);
    expect(isAlive(after.pid)).toBe(false);
    expect((await stack.status())[1]!.state).toBe('stopped');
  });

  it('start, status and logs warn when the config changed since the daemon started, even when it is broken now', async () => {
    const stack = await makeStack(threeServices());
    expect((await stack.cli(['start', 'ollama'])).stderr).not.toMatch(/changed/);
    expect(warnings((await stack.cli(['status'])).stderr)).toEqual([]);
    const text = fs.readFileSync(stack.configFile, 'utf8');
    fs.writeFileSync(stack.configFile, text.replace('name: test-stack', 'name: renamed'));
    const changed = /llama-top\.yaml changed since the daemon started; to apply it: llama-top reload/;
    for (const args of [['start', 'ollama'], ['status'], ['logs', 'ollama', '-n', '1']]) {
      const run = await stack.cli(args);
      expect(run.exitCode, args.join(' ')).toBe(0);
      expect(run.stderr, args.join(' ')).toMatch(changed);
    }
    fs.writeFileSync(stack.configFile, `${text}\n  oops: [`);
    const broken = await stack.cli(['status']);
    expect(broken.exitCode).toBe(0);
    expect(broken.stderr).toMatch(/llama-top\.yaml changed since the daemon started, and has an error now \(the daemon keeps the old one\): .*YAML syntax error/);
    expect(broken.stdout).toMatch(/ollama\s+ollama\s+ready/);
  });

  it('logs prints the tail and follows into new lines', async () => {
    const stack = await makeStack(threeServices());
    expect((await stack.cli(['start', 'ollama'])).exitCode).toBe(0);
    const tail = await stack.cli(['logs', 'ollama', '-n', '1']);
    expect(tail.exitCode).toBe(0);
    expect(tail.stdout.trim().split('\n')).toHaveLength(1);
    const follow = stack.spawnCli(['logs', 'ollama', '-f', '-n', '0']);
    let seen = '';
    follow.stdout!.on('data', (chunk) => (seen += chunk));
    // Keep asking until the follower (a separate process that may still be starting) prints the request's line.
    await waitFor(async () => (await answers(stack.ports[1]!, '/api/tags')) && seen.includes('/api/tags'), 'followed line');
    follow.kill('SIGINT');
    expect((await follow).exitCode).toBe(0);
  });
});
