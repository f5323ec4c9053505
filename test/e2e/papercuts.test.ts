import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { execa } from 'execa';
import { afterEach, describe, expect, it } from 'vitest';
import { cleanupAll, CLI, makeStack, NODE, TINY_GGUF, waitFor } from '../helpers/stack.js';

afterEach(cleanupAll);

describe('papercuts of issue #18 (the built CLI)', () => {
  it('status with no config names llama-top init', async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'llama-top-noconfig-'));
    const run = await execa(NODE, [CLI, 'status'], { cwd: dir, reject: false, env: { LLAMA_TOP_CONFIG: '', XDG_STATE_HOME: path.join(dir, 's'), XDG_RUNTIME_DIR: dir } });
    expect(run.exitCode).toBe(2);
    expect(run.stderr).toMatch(/no llama-top\.yaml in .*\n.*run llama-top init to write one/);
    fs.rmSync(dir, { recursive: true, force: true });
  });

  it('stop and daemon stop never say "services keep running" when nothing runs', async () => {
    const stack = await makeStack(() => 'services:\n  w: { kind: process, command: [sleep, "1000"], autostart: false }\n', 0);
    expect((await stack.cli(['status'])).exitCode).toBe(0);
    const stopped = await stack.cli(['daemon', 'stop']);
    expect(stopped.stdout).toMatch(/^daemon \d+ stopped; no service was running$/m);
    expect(stopped.stdout).not.toContain('keep running');
    const stop = await stack.cli(['stop']);
    expect(stop.stdout + stop.stderr).not.toContain('keep running');
  });

  it('stop says a service that ran nothing was not running, not "stopped in 0.0s"', async () => {
    const stack = await makeStack(() => 'services:\n  a: { kind: process, command: [sleep, "1000"], readyAfter: 100ms }\n  b: { kind: process, command: [sleep, "1000"], autostart: false }\n', 0);
    expect((await stack.cli(['start'])).exitCode).toBe(0);
    const stop = await stack.cli(['stop']);
    expect(stop.exitCode).toBe(0);
    expect(stop.stdout).toMatch(/^✓ a stopped in \d+\.\ds$/m);
    expect(stop.stdout).toMatch(/^✓ b was not running$/m);
  });

  it('init with llama-server on PATH but no model, then doctor: the service init left out warns what to fill in, and fails nothing', async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'lt-init-doctor-'));
    try {
      const bin = path.join(dir, 'bin');
      fs.mkdirSync(bin);
      fs.writeFileSync(path.join(bin, 'llama-server'), `#!/bin/sh\nexec '${NODE}' '${path.join(path.dirname(TINY_GGUF), 'fake-llama-server.mjs')}' "$@"\n`, { mode: 0o755 });
      const project = path.join(dir, 'project');
      fs.mkdirSync(project);
      fs.mkdirSync(path.join(dir, 'run'), { mode: 0o700 });
      const env = { PATH: `${bin}:/usr/bin:/bin`, XDG_STATE_HOME: path.join(dir, 'state'), XDG_RUNTIME_DIR: path.join(dir, 'run'), NO_COLOR: '1', LLAMA_TOP_CONFIG: '' };
      const run = (args: string[]) => execa(NODE, [CLI, ...args], { cwd: project, env, extendEnv: false, reject: false, stdin: 'ignore' });
      expect((await run(['init'])).exitCode).toBe(0);
      const doctor = await run(['doctor']);
      expect(doctor.stdout).toMatch(/^! llama model: \S+your-model\.gguf does not exist: put the GGUF file there, or set services\.llama\.model to its path \(autostart: false: start leaves llama out until then\)$/m);
      expect(doctor.stdout).not.toMatch(/^✗/m);
      expect(doctor.exitCode).toBe(0);
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });

  it('a start failure is explained by the line that says why, from this run, not an older one', async () => {
    const script = [
      'if [ -f ran-before ]; then',
      `  echo "main: couldn't bind HTTP server socket, hostname: 127.0.0.1, port: 1"`,
      '  echo "srv    operator(): operator(): cleaning up before exit..."',
      '  exit 1',
      'fi',
      'touch ran-before; echo "fatal error: what an older run said"; exit 1',
    ].join('\n');
    const stack = await makeStack((_p, dir) => {
      fs.writeFileSync(path.join(dir, 'svc.sh'), script);
      return 'services:\n  svc: { kind: process, command: [sh, ./svc.sh], readyAfter: 5s, restart: { maxRetries: 0 } }\n';
    }, 0);
    const first = await stack.cli(['start', 'svc']);
    expect(first.exitCode).toBe(1);
    expect(first.stdout).toContain('what an older run said');
    const second = await stack.cli(['start', 'svc']);
    expect(second.exitCode).toBe(1);
    expect(second.stdout).toMatch(/couldn't bind HTTP server socket/);
    expect(second.stdout).not.toContain('what an older run said');
    expect((await stack.status())[0]!.lastError).toMatch(/couldn't bind HTTP server socket/);
  });

  it('Ctrl-C during start: the service keeps starting, and the command says how to watch it', async () => {
    const stack = await makeStack(
      (ports) => `services:\n  llama: { kind: llama-server, command: ${JSON.stringify([NODE, path.join(path.dirname(TINY_GGUF), 'fake-llama-server.mjs'), '--load-ms', '60000'])}, model: ${JSON.stringify(TINY_GGUF)}, port: ${ports[0]} }\n`,
      1,
    );
    const start = stack.spawnCli(['start', 'llama']);
    let err = '';
    start.stderr!.on('data', (c) => (err += c));
    await waitFor(async () => (await stack.status().catch(() => []))[0]?.state === 'starting', 'llama starting');
    start.kill('SIGINT');
    const result = await start;
    expect(result.exitCode).toBe(130);
    expect(err).toMatch(/stopped waiting; llama keeps starting in the daemon\. Watch with .*status or .*logs -f llama/);
    expect((await stack.status())[0]!.state).toBe('starting');
  });
});

describe('doctor on a Python app with a pyproject.toml', () => {
  it('an optional backend package it lacks warns, naming pyproject.toml, and fails nothing', async () => {
    const stack = await makeStack((ports, dir) => {
      fs.writeFileSync(path.join(dir, 'app.py'), 'print("hi")\n');
      fs.writeFileSync(path.join(dir, 'pyproject.toml'), '[project]\nname = "chat"\ndependencies = ["llama-cpp-python>=0.2"]\n');
      return `services:\n  chat: { kind: app, command: [python3, app.py], port: ${ports[0]} }\n`;
    }, 1);
    const doctor = await stack.cli(['doctor']);
    expect(doctor.stdout).toMatch(/! chat optional packages: .*lacks llama-cpp-python \(from pyproject\.toml \[project\] dependencies\), an optional backend.*pip install -e \. \(or uv sync\)/);
    expect(doctor.stdout).not.toMatch(/✗ chat packages/);
    expect(doctor.stdout).not.toContain('requirements.txt');
  });
});
