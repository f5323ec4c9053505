import fs from 'node:fs';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { cleanupAll, fixture, isAlive, makeStack, NODE, waitFor } from '../helpers/stack.js';

/** A local webhook receiver: records each POST; `answer: false` accepts and never answers (a webhook that is down). */
async function receiver(answer = true): Promise<{ url: string; bodies: Array<Record<string, any>>; open: () => number; close: () => Promise<void> }> {
  const bodies: Array<Record<string, any>> = [];
  const pending = new Set<http.ServerResponse>();
  const server = http.createServer((req, res) => {
    let body = '';
    req.setEncoding('utf8');
    req.on('data', (c: string) => (body += c));
    req.on('end', () => {
      bodies.push({ ...JSON.parse(body), contentType: req.headers['content-type'] });
      if (answer) res.end('ok');
      else {
        pending.add(res);
        res.on('close', () => pending.delete(res));
      }
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}/hook`,
    bodies,
    open: () => pending.size,
    close: () => {
      server.closeAllConnections();
      return new Promise((resolve) => server.close(() => resolve()));
    },
  };
}

const receivers: Array<{ close: () => Promise<void> }> = [];
afterEach(async () => {
  await cleanupAll();
  await Promise.all(receivers.splice(0).map((r) => r.close()));
});

const readLines = (file: string): Array<Record<string, any>> => (fs.existsSync(file) ? fs.readFileSync(file, 'utf8').trim().split('\n').filter(Boolean).map((l) => JSON.parse(l)) : []);
const hookCommand = (file: string, mode?: string) => JSON.stringify([NODE, fixture('notify-hook.mjs'), file, ...(mode ? [mode] : [])]);
const daemonLog = (stateDir: string) => fs.readFileSync(path.join(stateDir, 'daemon.log'), 'utf8');

describe('notifications', () => {
  it('a crash loop that ends in gave-up sends one crash and one gave-up to a command hook and to a webhook, with the reason', async () => {
    const hook = await receiver();
    receivers.push(hook);
    let hookFile = '';
    const stack = await makeStack((_ports, dir) => {
      hookFile = path.join(dir, 'hook.jsonl');
      return `name: loop-stack
notify:
  - on: [crash, gave-up]
    command: ${hookCommand(hookFile)}
  - on: [crash, gave-up, ready]
    services: [gpu]
    webhook: ${hook.url}
services:
  gpu:
    kind: process
    command: [${JSON.stringify(NODE)}, -e, "console.error('CUDA error: out of memory'); process.exit(3)"]
    readyAfter: 60s
    restart: { maxRetries: 3, backoff: 100ms, maxBackoff: 200ms }
`;
    }, 0);
    const start = await stack.cli(['start', 'gpu']);
    expect(start.exitCode).toBe(1);
    await waitFor(async () => (await stack.status())[0]!.state === 'error', 'gpu to give up');
    const gaveUp = await waitFor(() => readLines(hookFile).find((l) => l.stdin.event === 'gave-up') && hook.bodies.find((b) => b.event === 'gave-up'), 'the gave-up notifications');
    expect(gaveUp).toMatchObject({ stack: 'loop-stack', service: 'gpu', event: 'gave-up', contentType: 'application/json' });
    expect(gaveUp.reason).toBe('exited with code 3: CUDA error: out of memory (gave up after 3 retries)');
    expect(Date.parse(gaveUp.time)).not.toBeNaN();
    // The status's lastError is the same text.
    expect((await stack.status())[0]!.lastError).toBe(gaveUp.reason);

    // Four failures: three crashes (retried) and the gave-up; each receiver got exactly one of each.
    const hookEvents = readLines(hookFile);
    expect(hookEvents.map((l) => l.stdin.event)).toEqual(['crash', 'gave-up']);
    expect(hook.bodies.map((b) => b.event)).toEqual(['crash', 'gave-up']);
    const crash = hookEvents[0]!;
    expect(crash.stdin).toMatchObject({ service: 'gpu', event: 'crash', reason: 'exited with code 3: CUDA error: out of memory' });
    expect(crash.env).toMatchObject({ LLAMA_TOP_EVENT: 'crash', LLAMA_TOP_SERVICE: 'gpu', LLAMA_TOP_REASON: 'exited with code 3: CUDA error: out of memory', LLAMA_TOP_STACK: 'loop-stack' });
    expect(crash.env.LLAMA_TOP_HOST).toBeTruthy();
    expect(hookEvents[1]!.env.LLAMA_TOP_EVENT).toBe('gave-up');
  });

  it('a hook that hangs and a webhook that never answers delay no restart; the hook is killed at its timeout and the webhook dropped, each said once in daemon.log', async () => {
    const dead = await receiver(false);
    receivers.push(dead);
    let hookFile = '';
    const stack = await makeStack((_ports, dir) => {
      hookFile = path.join(dir, 'hang.jsonl');
      return `notify:
  - on: [crash]
    command: ${hookCommand(hookFile, '--hang')}
    timeout: 10s
  - on: [crash]
    webhook: ${dead.url}
    timeout: 6s
    retries: 1
services:
  flaky:
    kind: process
    command: [${JSON.stringify(NODE)}, -e, "setTimeout(() => { console.error('lost the GPU'); process.exit(1) }, 150)"]
    readyAfter: 50ms
    restart: { maxRetries: 100, backoff: 100ms, maxBackoff: 100ms }
`;
    }, 0);
    expect((await stack.cli(['start', 'flaky', '--no-wait'])).exitCode).toBe(0);
    // The first crash starts the hook (it hangs) and the POST (never answered).
    const hookPid = Number(await waitFor(() => fs.existsSync(`${hookFile}.pid`) && fs.readFileSync(`${hookFile}.pid`, 'utf8'), 'the hook to run'));
    await waitFor(() => dead.open() === 1, 'the webhook request to be open');
    const restartsAtHook = (await stack.status())[0]!.restarts as number;
    // While both still hang, supervision goes on: the service is restarted again and again.
    const later = await waitFor(async () => {
      const s = (await stack.status())[0]!;
      return s.restarts >= restartsAtHook + 2 ? s : null;
    }, 'two more restarts');
    expect(isAlive(hookPid)).toBe(true);
    expect(dead.open()).toBe(1);
    expect(later.restarts).toBeGreaterThanOrEqual(restartsAtHook + 2);
    // Then the hook is killed at its timeout, and the webhook given up after its retry; one line each.
    await waitFor(() => !isAlive(hookPid), 'the hook to be killed', 30_000);
    await waitFor(() => /notify\.1 webhook .*dropped after 2 attempts \(last: no answer in 6 s\)/.test(daemonLog(stack.stateDir())), 'the webhook drop in daemon.log', 30_000);
    const log = daemonLog(stack.stateDir());
    expect(log).toMatch(new RegExp(`notify\\.0 command .*notify-hook\\.mjs .*\\(flaky crash\\): did not finish in 10 s: killed \\(pid ${hookPid}\\)`));
    expect(log.match(/notify\.1 webhook/g)).toHaveLength(1);
    // Only the loop's first crash was sent: the hook ran once, the webhook got two attempts of that one.
    expect(readLines(hookFile)).toHaveLength(1);
    expect(dead.bodies.map((b) => b.event)).toEqual(['crash', 'crash']);
    // And the service still cycles.
    const after = (await stack.status())[0]!;
    await waitFor(async () => (await stack.status())[0]!.restarts > after.restarts, 'restarts to go on');
  });

  it('notify test sends a sample to every matching entry and prints what each did', async () => {
    const ok = await receiver();
    receivers.push(ok);
    let hookFile = '';
    const stack = await makeStack((_ports, dir) => {
      hookFile = path.join(dir, 'test.jsonl');
      return `name: t
notify:
  - on: [gave-up, stalled]
    command: ${hookCommand(hookFile)}
  - on: [gave-up]
    webhook: ${ok.url}
    format: slack
  - on: [gave-up]
    command: ${hookCommand(hookFile, '--fail')}
  - on: [ready]
    command: [no-such-notifier-here]
services:
  web:
    kind: process
    command: [${JSON.stringify(NODE)}, -e, "setInterval(() => {}, 1000)"]
    autostart: false
`;
    }, 0);
    const run = await stack.cli(['notify', 'test', 'gave-up']);
    expect(run.exitCode).toBe(1);
    const lines = run.stdout.trim().split('\n');
    expect(lines).toHaveLength(3);
    expect(lines[0]).toMatch(/^✓ notify\.0 command .*notify-hook\.mjs .*\(gave-up\): exit 0 in \d+ ms$/);
    expect(lines[1]).toMatch(new RegExp(`^✓ notify\\.1 webhook ${ok.url} \\(gave-up\\): HTTP 200 in \\d+ ms$`));
    expect(lines[2]).toMatch(/^✗ notify\.2 command .*--fail \(gave-up\): exit 1 in \d+ ms: the pager service said no$/);
    expect(ok.bodies).toEqual([{ text: expect.stringMatching(/^llama-top t@.+: web gave-up: a test of llama-top's notifications .*\(test\)$/), contentType: 'application/json' }]);
    expect(readLines(hookFile)[0]!.stdin).toMatchObject({ event: 'gave-up', service: 'web', test: true });

    const ready = await stack.cli(['notify', 'test', 'ready', '--json']);
    expect(ready.exitCode).toBe(1);
    expect(JSON.parse(ready.stdout).outcomes).toEqual([{ entry: 3, target: 'command no-such-notifier-here', event: 'ready', ok: false, detail: 'cannot run no-such-notifier-here: ENOENT' }]);
    const none = await stack.cli(['notify', 'test', 'idle-stop']);
    expect(none.exitCode).toBe(1);
    expect(none.stderr).toMatch(/no notify: entry listens to idle-stop \(they listen to: gave-up, stalled, ready\)/);
    const bad = await stack.cli(['notify', 'test', 'exploded']);
    expect(bad.exitCode).toBe(2);
    expect(bad.stderr).toMatch(/unknown event "exploded" \(events: ready, crash, gave-up/);
    // doctor names the hook that cannot run.
    const doctor = await stack.cli(['doctor']);
    expect(doctor.stdout).toMatch(/✗ notify\.3 command: no-such-notifier-here not found on PATH/);
    expect(doctor.stdout).toMatch(/✓ notify\.0 command: .*node/);
  });
});
