import fs from 'node:fs';
import net from 'node:net';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { PROTOCOL_VERSION } from '../../src/protocol/messages.js';
import { VERSION } from '../../src/version.js';
import { cleanupAll, isAlive, makeStack, threeServices, waitFor } from '../helpers/stack.js';

afterEach(cleanupAll);

const cases: Array<[string, string, RegExp]> = [
  ['a YAML syntax error', 'services:\n  a:\n    kind: app\n    command: [x\n', /llama-top\.yaml:5:1: YAML syntax error/],
  ['an unknown key', 'services:\n  a:\n    kind: app\n    comand: x\n', /llama-top\.yaml:4:5 services\.a\.comand: unknown key/],
  ['an unknown kind', 'services:\n  a:\n    kind: tgi\n    command: x\n', /llama-top\.yaml:3:11 services\.a\.kind: must be one of: llama-server, ollama, vllm, app, process/],
  ['a wrong type', 'services:\n  a:\n    kind: app\n    command: x\n    autostart: maybe\n', /services\.a\.autostart: expected boolean, got "maybe"/],
  ['a port out of range', 'services:\n  a:\n    kind: app\n    command: x\n    port: 70000\n', /llama-top\.yaml:5:11 services\.a\.port: must be between 1 and 65535/],
  ['a bad duration', 'services:\n  a:\n    kind: app\n    command: x\n    stopTimeout: soon\n', /services\.a\.stopTimeout: "soon" is not a duration/],
  ['a dependency cycle', 'services:\n  a:\n    kind: app\n    command: x\n    dependsOn: [b]\n  b:\n    kind: app\n    command: x\n    dependsOn: [a]\n', /dependency cycle a -> b -> a/],
];

describe('bad input: one clear line, exit 2, nothing started or killed', () => {
  for (const [what, yaml, expected] of cases)
    it(`reports ${what} with file:line:col`, async () => {
      const stack = await makeStack(() => yaml, 0);
      const run = await stack.cli(['start']);
      expect(run.exitCode).toBe(2);
      expect(run.stderr).toMatch(expected);
      expect(run.stderr).not.toMatch(/\n\s+at /); // no stack trace
      expect(fs.existsSync(path.join(stack.env.XDG_STATE_HOME, 'llama-top'))).toBe(false); // no daemon was started
    });

  it('reports a missing model file and a missing binary before starting anything', async () => {
    const stack = await makeStack(threeServices());
    fs.rmSync(path.join(stack.dir, 'tiny.gguf'));
    const run = await stack.cli(['start']);
    expect(run.exitCode).toBe(2);
    expect(run.stderr).toMatch(/service llama: model file .*tiny\.gguf does not exist \(services\.llama\.model/);
    expect(JSON.parse((await stack.cli(['daemon', 'status', '--json'])).stdout).running).toBe(false); // nothing was started

    const noBinary = await makeStack(() => 'services:\n  llama:\n    kind: llama-server\n    model: ./m.gguf\n', 0);
    fs.writeFileSync(path.join(noBinary.dir, 'm.gguf'), 'GGUF');
    // PATH is an empty directory: the test holds wherever llama-server is installed (our users' machines).
    const emptyBin = path.join(noBinary.dir, 'empty-bin');
    fs.mkdirSync(emptyBin);
    const run2 = await noBinary.cli(['start'], { env: { PATH: emptyBin } });
    expect(run2.exitCode).toBe(2);
    expect(run2.stderr).toMatch(/llama-server: not found on PATH/);
  });

  it('rejects an unknown service name and an unknown command with exit 2', async () => {
    const stack = await makeStack(threeServices());
    const run = await stack.cli(['start', 'lama']);
    expect(run.exitCode).toBe(2);
    expect(run.stderr).toMatch(/unknown service "lama".*\(services: llama, ollama, chat\)/);
    for (const command of ['logs', 'models', 'status', 'stop', 'kill', 'restart']) {
      const named = await stack.cli([command, 'nope']);
      expect(named.exitCode, command).toBe(2);
      expect(named.stderr, command).toMatch(/^llama-top: unknown service "nope" in .*\(services: llama, ollama, chat\)$/);
    }
    const negative = await stack.cli(['logs', '-n', '-5']);
    expect(negative).toMatchObject({ exitCode: 2, stderr: 'llama-top: --lines takes a whole number of lines, not "-5"' });
    const cmd = await stack.cli(['strat']);
    expect(cmd.exitCode).toBe(2);
    expect(cmd.stderr).toMatch(/unknown command "strat"/);
  });

  it('without a terminal, llama-top with no command explains what to run instead', async () => {
    const stack = await makeStack(threeServices());
    const run = await stack.cli([]);
    expect(run.exitCode).toBe(2);
    expect(run.stderr).toMatch(/needs a terminal.*llama-top status/);
  });
});

describe('the control socket', () => {
  it('a daemon of another protocol version is named, with what to do (exit 3), not misread', async () => {
    const stack = await makeStack(threeServices());
    const { socket } = JSON.parse((await stack.cli(['daemon', 'status', '--json'])).stdout);
    fs.mkdirSync(path.dirname(socket), { recursive: true, mode: 0o700 });
    const old = net.createServer((c) => c.write(`${JSON.stringify({ push: 'hello', protocol: 1, version: '0.0.9', pid: 4242 })}\n`));
    await new Promise<void>((resolve) => old.listen(socket, resolve));
    try {
      const run = await stack.cli(['status']);
      expect(run.exitCode).toBe(3);
      expect(run.stderr).toContain(`the daemon (pid 4242) runs llama-top 0.0.9 (protocol 1), and this is llama-top ${VERSION} (protocol ${PROTOCOL_VERSION})`);
      expect(run.stderr).toMatch(/hint: restart the daemon with this version: llama-top daemon stop/);
    } finally {
      old.close();
    }
  });

  it('is owner-only and survives malformed and oversized messages', async () => {
    const stack = await makeStack(threeServices());
    const info = JSON.parse((await stack.cli(['daemon', 'status', '--json'])).stdout);
    expect(info.running).toBe(false);
    expect((await stack.cli(['status'])).exitCode).toBe(0); // starts the daemon
    const daemon = JSON.parse((await stack.cli(['daemon', 'status', '--json'])).stdout);
    expect(daemon).toMatchObject({ running: true, socket: expect.stringContaining(stack.env.XDG_RUNTIME_DIR) });
    expect(daemon.stateDir).toContain(stack.env.XDG_STATE_HOME);
    expect(typeof daemon.uptimeSeconds).toBe('number');
    expect(fs.statSync(path.dirname(daemon.socket)).mode & 0o777).toBe(0o700);
    expect(fs.statSync(daemon.socket).mode & 0o777).toBe(0o600);
    expect(fs.statSync(daemon.stateDir).mode & 0o777).toBe(0o700);

    const socket = net.connect(daemon.socket);
    let received = '';
    socket.on('data', (chunk) => (received += chunk));
    await new Promise((resolve) => socket.once('connect', resolve));
    socket.write('this is not json\n');
    socket.write('{"id": 1, "type": "format-disk"}\n');
    socket.write('[1,2]\n');
    socket.write(`{"id": 2, "type": "status", "pad": "${'x'.repeat(2 * 1024 * 1024)}"}\n`);
    socket.write('{"id": 3, "type": "status"}\n');
    await waitFor(() => received.includes('"id":3'), 'the answer to the good request');
    const [hello, ...answers] = received.trim().split('\n').map((l) => JSON.parse(l));
    expect(hello).toEqual({ push: 'hello', protocol: PROTOCOL_VERSION, version: VERSION, pid: daemon.pid }); // first, on every connection
    expect(answers[0]).toMatchObject({ ok: false, code: 'PROTOCOL', message: expect.stringMatching(/not JSON/) });
    expect(answers[1]).toMatchObject({ id: 1, ok: false, message: 'unknown request type "format-disk"' });
    expect(answers[2]).toMatchObject({ ok: false, message: 'a request must be a JSON object' });
    expect(answers[3]).toMatchObject({ ok: false, message: expect.stringMatching(/larger than/) });
    expect(answers[4]).toMatchObject({ id: 3, ok: true });
    socket.destroy();
    expect(isAlive(daemon.pid)).toBe(true);

    const stop = await stack.cli(['daemon', 'stop', '--json']);
    expect(JSON.parse(stop.stdout)).toMatchObject({ stopped: true, pid: daemon.pid });
    await waitFor(() => !isAlive(daemon.pid), 'daemon exit');
    expect(fs.existsSync(daemon.socket)).toBe(false);
  });
});
