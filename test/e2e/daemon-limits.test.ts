import fs from 'node:fs';
import net from 'node:net';
import { execa } from 'execa';
import { afterEach, describe, expect, it } from 'vitest';
import { cleanupAll, CLI, isAlive, makeStack, NODE, threeServices, waitFor } from '../helpers/stack.js';

afterEach(cleanupAll);

const fdCount = (pid: number) => fs.readdirSync(`/proc/${pid}/fd`).length;

describe('clients that finish, a daemon that cannot be worn down', () => {
  it('a stopped (SIGSTOP) daemon: status and events exit 3 within the deadline, naming its pid and what to do', async () => {
    const stack = await makeStack(threeServices());
    expect((await stack.cli(['status'])).exitCode).toBe(0);
    const pid = JSON.parse((await stack.cli(['daemon', 'status', '--json'])).stdout).pid as number;
    stack.env.LLAMA_TOP_DEADLINE = '1500';
    const events = execa(NODE, [CLI, 'events', '--config', stack.configFile], { env: stack.env, reject: false, stdin: 'ignore' });
    await waitFor(() => fdCount(pid) > 0 && events.pid !== undefined, 'events connected');
    process.kill(pid, 'SIGSTOP');
    try {
      const status = await stack.cli(['status'], { timeout: 20_000 });
      expect(status.exitCode).toBe(3);
      expect(status.stderr).toMatch(new RegExp(`the daemon \\(pid ${pid}\\) has not answered for \\d+ s: it is stopped or stuck`));
      expect(status.stderr).toMatch(new RegExp(`kill -CONT ${pid}`));
      const ev = await events;
      expect(ev.exitCode).toBe(3);
      expect(String(ev.stderr)).toMatch(/has not answered/);
    } finally {
      process.kill(pid, 'SIGCONT');
    }
    expect((await stack.cli(['status'])).exitCode).toBe(0);
  });

  it('caps connections, drops idle and half-sent ones, and answers a 100,000-deep array like any bad message', async () => {
    const stack = await makeStack(threeServices());
    stack.env.LLAMA_TOP_CONNECTION_IDLE_MS = '1000';
    expect((await stack.cli(['daemon', 'stop'])).exitCode).toBe(0);
    expect((await stack.cli(['status'])).exitCode).toBe(0); // a daemon with the short idle limit
    const daemon = JSON.parse((await stack.cli(['daemon', 'status', '--json'])).stdout);
    const baseline = fdCount(daemon.pid);
    const sockets: net.Socket[] = [];
    for (let i = 0; i < 400; i++) {
      const s = net.connect(daemon.socket);
      s.on('error', () => undefined);
      s.resume(); // reads (the daemon's greeting) like a client does, so its close is seen
      sockets.push(s);
    }
    const halfSent = net.connect(daemon.socket);
    halfSent.on('error', () => undefined);
    halfSent.resume();
    halfSent.write('{"id": 1, "type": "sta'); // and never the rest
    await waitFor(() => sockets.filter((s) => s.destroyed || s.closed).length >= 400 - 256, 'connections past the cap refused');
    expect(fdCount(daemon.pid)).toBeLessThanOrEqual(baseline + 256 + 1);
    await waitFor(() => sockets.every((s) => s.closed) && halfSent.closed, 'idle and half-sent connections dropped', 15_000);
    expect((await stack.cli(['status'])).exitCode).toBe(0);

    const socket = net.connect(daemon.socket);
    let received = '';
    socket.on('data', (chunk) => (received += chunk));
    await new Promise((resolve) => socket.once('connect', resolve));
    socket.write(`{"id": 7, "type": ${'['.repeat(100_000)}${']'.repeat(100_000)}}\n`);
    socket.write('{"id": 8, "type": "status"}\n');
    await waitFor(() => received.includes('"id":8'), 'the answer after the deep one');
    const answers = received.trim().split('\n').map((l) => JSON.parse(l)).filter((m) => m.push !== 'hello');
    expect(answers[0]).toMatchObject({ id: 7, ok: false, message: 'request.type must be a string, not an array' });
    expect(answers[1]).toMatchObject({ id: 8, ok: true });
    socket.destroy();
    expect(isAlive(daemon.pid)).toBe(true);
  });

  it('output into a slow pipe is never cut: status --json of 200 services and logs -n 5000', async () => {
    const services = Array.from({ length: 200 }, (_, i) => `  svc${i}: { kind: process, command: [sleep, "1000"], autostart: false }`).join('\n');
    const stack = await makeStack(() => `services:\n${services}\n  talker:\n    kind: process\n    command: [${JSON.stringify(NODE)}, -e, "for (let i = 1; i <= 6000; i++) console.log('line', i, 'x'.repeat(60)); setInterval(() => {}, 1e9)"]\n    readyAfter: 50ms\n`, 0);
    expect((await stack.cli(['start', 'talker'])).exitCode).toBe(0);
    await waitFor(async () => (await stack.cli(['logs', 'talker', '-n', '1'])).stdout.includes('line 6000'), 'talker output');
    // Reads nothing for 500 ms, then all; prints how many bytes came and, where they are JSON, how many entries.
    const slowReader = `const chunks = []; process.stdin.pause(); setTimeout(() => { process.stdin.on('data', (c) => chunks.push(c)); process.stdin.on('end', () => { const all = Buffer.concat(chunks); let entries = -1; try { const j = JSON.parse(all); entries = (j.services ?? j).length; } catch {} process.stdout.write(all.length + ' ' + entries); }); process.stdin.resume(); }, 500);`;
    const env = Object.entries(stack.env).map(([k, v]) => `${k}='${v}'`).join(' ');
    const run = (args: string) => execa('sh', ['-c', `${env} '${NODE}' '${CLI}' ${args} --config '${stack.configFile}' | '${NODE}' -e "${slowReader}"`], { reject: false });
    const direct = await stack.cli(['status', '--json']);
    expect(direct.stdout.length).toBeGreaterThan(65_536);
    // Two calls' figures (CPU, memory, uptime) may differ by a few bytes: the piped one must be whole JSON, as long.
    const [pipedBytes, pipedEntries] = (await run('status --json')).stdout.split(' ').map(Number);
    expect(pipedEntries).toBe(201);
    expect(Math.abs(pipedBytes! - Buffer.byteLength(direct.stdout) - 1)).toBeLessThan(100);
    const logs = await run('logs talker -n 5000');
    const directLogs = await stack.cli(['logs', 'talker', '-n', '5000']);
    expect(directLogs.stdout.split('\n')).toHaveLength(5000);
    expect(logs.stdout).toBe(`${Buffer.byteLength(directLogs.stdout) + 1} -1`);
  });

  it('refuses durations timers cannot hold (2^31 ms and more) with the limit', async () => {
    const stack = await makeStack(() => 'services:\n  a:\n    kind: process\n    command: [sleep, "1"]\n    startTimeout: 600h\n', 0);
    const run = await stack.cli(['start']);
    expect(run.exitCode).toBe(2);
    expect(run.stderr).toMatch(/services\.a\.startTimeout: "600h" is too long: timers go up to 2147483647 ms/);
  });
});
