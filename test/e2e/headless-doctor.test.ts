import fs from 'node:fs';
import path from 'node:path';
import { execa } from 'execa';
import { afterEach, describe, expect, it } from 'vitest';
import { killUserProcessesSetting } from '../../src/commands/linger.js';
import { answers, cleanupAll, CLI, isAlive, makeStack, NODE, threeServices, waitFor } from '../helpers/stack.js';

afterEach(cleanupAll);

describe('llama-top --headless (foreground supervisor, for systemd and containers)', () => {
  it('starts the autostart services, logs to stdout, answers commands, and stops everything on SIGTERM', async () => {
    const stack = await makeStack(threeServices());
    const fg = execa(NODE, [CLI, '--headless', '--config', stack.configFile], { env: stack.env, reject: false, stdin: 'ignore' });
    let out = '';
    fg.stdout!.on('data', (c) => (out += c));
    await waitFor(() => /chat: ready in/.test(out), 'the foreground supervisor to report chat ready');
    expect(out).toMatch(/llama: ready in/);
    const services = await stack.status(); // the CLI talks to the foreground process
    expect(services.every((s) => s.state === 'ready')).toBe(true);
    expect(JSON.parse((await stack.cli(['daemon', 'status', '--json'])).stdout).pid).toBe(fg.pid);
    fg.kill('SIGTERM');
    const result = await fg;
    expect(result.exitCode).toBe(0);
    for (const s of services) expect(isAlive(s.pid)).toBe(false);
    expect(await answers(stack.ports[0]!, '/health')).toBe(false);
  });
});

describe('doctor and service install', () => {
  it('doctor passes on a sound stack and names what is wrong otherwise', async () => {
    const stack = await makeStack(threeServices());
    const ok = await stack.cli(['doctor']);
    expect(ok.stdout).toMatch(/✓ llama model: .*tiny\.gguf \(llama, F16\)/);
    expect(ok.stdout).toMatch(/✓ ollama port: \d+ is free/);
    expect(ok.exitCode).toBe(0);
    fs.writeFileSync(path.join(stack.dir, 'tiny.gguf'), 'not a model');
    const squatter = execa(NODE, ['-e', `require('net').createServer().listen(${stack.ports[1]}, '127.0.0.1')`], { reject: false });
    await waitFor(async () => (await stack.cli(['doctor'])).stdout.includes('is in use by pid'), 'the squatter to be seen');
    const bad = await stack.cli(['doctor', '--json']);
    expect(bad.exitCode).toBe(1);
    const checks = JSON.parse(bad.stdout).checks;
    expect(checks).toContainEqual({ level: 'fail', what: 'llama model', detail: expect.stringMatching(/not a GGUF file/) });
    expect(checks).toContainEqual({ level: 'fail', what: 'ollama port', detail: `port ${stack.ports[1]} is in use by pid ${squatter.pid} (node)` });
    squatter.kill('SIGKILL');
    await squatter;
  });

  it('service install writes a systemd user unit running the foreground supervisor, and never overwrites without --force', async () => {
    const stack = await makeStack(threeServices());
    stack.env.XDG_CONFIG_HOME = path.join(stack.dir, 'xdg-config');
    const run = await stack.cli(['service', 'install']);
    expect(run.exitCode).toBe(0);
    const unit = fs.readFileSync(path.join(stack.dir, 'xdg-config', 'systemd', 'user', 'llama-top-test-stack.service'), 'utf8');
    expect(unit).toContain(`ExecStart="${NODE}" "${CLI}" "--headless" "--config" "${stack.configFile}"`);
    expect(unit).toMatch(/KillMode=mixed\nTimeoutStopSec=15/); // the longest stopTimeout (10 s default) + 5 s
    expect(run.stdout).toMatch(/systemctl --user daemon-reload && systemctl --user enable --now llama-top-test-stack\.service/);
    expect((await stack.cli(['service', 'install'])).exitCode).toBe(2);
    expect((await stack.cli(['service', 'install', '--force'])).exitCode).toBe(0);
  });

  it('reads KillUserProcesses from logind.conf and its drop-ins, the last one winning', () => {
    expect(killUserProcessesSetting(['[Login]\n#KillUserProcesses=no\n'])).toBeNull();
    expect(killUserProcessesSetting(['[Login]\nKillUserProcesses=yes\n'])).toBe(true);
    expect(killUserProcessesSetting(['[Login]\nKillUserProcesses=yes\n', '[Login]\nKillUserProcesses=no\n'])).toBe(false);
  });
});
