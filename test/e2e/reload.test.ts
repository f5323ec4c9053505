import fs from 'node:fs';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { answers, cleanupAll, findFreePorts, isAlive, llamaServerCommand, makeStack, NODE, REAL_LLAMA_SERVER, TINY_GGUF, waitFor, warnings } from '../helpers/stack.js';

afterEach(cleanupAll);

const svc = (name: string, extra = '') => `  ${name}:\n    kind: process\n    command: [${JSON.stringify(NODE)}, -e, "setInterval(() => {}, 1e9)", ${JSON.stringify(name)}${extra}]\n    readyAfter: 100ms\n`;

describe('reload: an edited config applied to the running stack', () => {
  it('keeps unchanged services (same pid), restarts a changed one, stops a removed one, starts an added one', async () => {
    const stack = await makeStack(() => `services:\n${svc('keep')}${svc('change')}${svc('drop')}`, 0);
    expect((await stack.cli(['start'])).exitCode).toBe(0);
    const before = new Map((await stack.status()).map((s) => [s.name, s.pid as number]));
    fs.writeFileSync(stack.configFile, `services:\n${svc('keep')}${svc('change', ', "v2"')}${svc('add')}`);
    expect((await stack.cli(['status'])).stderr).toMatch(/changed since the daemon started; to apply it: llama-top reload/);

    const reload = await stack.cli(['reload']);
    expect(reload.exitCode, reload.stderr).toBe(0);
    expect(reload.stdout).toMatch(/^unchanged \(still running, same pid\): keep$/m);
    expect(reload.stdout).toMatch(/^✓ change changed: restarted, ready in \d+\.\ds$/m);
    expect(reload.stdout).toMatch(/^removed and stopped: drop$/m);
    expect(reload.stdout).toMatch(/^✓ add added: ready in \d+\.\ds$/m);

    const after = new Map((await stack.status()).map((s) => [s.name, s]));
    expect([...after.keys()]).toEqual(['keep', 'change', 'add']);
    expect(after.get('keep')!.pid).toBe(before.get('keep'));
    expect(after.get('change')!.pid).not.toBe(before.get('change'));
    expect(fs.readFileSync(`/proc/${after.get('change')!.pid}/cmdline`, 'utf8')).toContain('v2');
    await waitFor(() => !isAlive(before.get('drop')!), 'the dropped service gone');
    expect(after.get('add')!.state).toBe('ready');
    expect(warnings((await stack.cli(['status'])).stderr)).toEqual([]); // the daemon runs what the file says now

    // A stopped service that did not change is said to be so, not "still running".
    expect((await stack.cli(['stop', 'keep'])).exitCode).toBe(0);
    const again = await stack.cli(['reload']);
    expect(again.stdout).toMatch(/^unchanged \(still running, same pid\): change, add$/m);
    expect(again.stdout).toMatch(/^unchanged \(not running\): keep$/m);
  });

  it('a config with an error is refused with file:line:col and exit 2, and nothing changes', async () => {
    const stack = await makeStack(() => `services:\n${svc('keep')}`, 0);
    expect((await stack.cli(['start'])).exitCode).toBe(0);
    const pid = (await stack.status())[0]!.pid;
    fs.writeFileSync(stack.configFile, `services:\n  keep:\n    kind: proces\n    command: [x]\n`);
    const reload = await stack.cli(['reload']);
    expect(reload.exitCode).toBe(2);
    expect(reload.stderr).toMatch(/llama-top\.yaml:3:11 services\.keep\.kind: must be one of/);
    expect((await stack.status())[0]).toMatchObject({ name: 'keep', state: 'ready', pid });
  });
});

// Against the real llama.cpp llama-server when LLAMA_SERVER names it, else the fixture.
const against = REAL_LLAMA_SERVER ? `the real llama-server (${REAL_LLAMA_SERVER})` : 'the llama-server fixture (set LLAMA_SERVER for the real one)';
const llama = (port: number, model: string) =>
  `restart: { maxRetries: 0 }\nservices:\n  llama:\n    kind: llama-server\n    command: ${JSON.stringify(llamaServerCommand())}\n    model: ${JSON.stringify(model)}\n    port: ${port}\n${REAL_LLAMA_SERVER ? '    args: [-c, "256", -t, "1"]\n' : ''}`;

describe(`reload checks a changed service before stopping it (#18.3, #19.6): ${against}`, () => {
  it('a wrong model path, then a port held by another process: refused (exit 2, key named), the server keeps running; the fix restarts it', async () => {
    const { execa } = await import('execa');
    const [squatPort] = await findFreePorts(1);
    const stack = await makeStack((ports) => llama(ports[0]!, TINY_GGUF), 1);
    expect((await stack.cli(['start'])).exitCode).toBe(0);
    const pid = (await stack.status())[0]!.pid;

    fs.writeFileSync(stack.configFile, llama(stack.ports[0]!, '/nonexistent/model.gguf'));
    const badModel = await stack.cli(['reload']);
    expect(badModel.exitCode).toBe(2);
    expect(badModel.stderr).toMatch(/services\.llama\.model: model file \/nonexistent\/model\.gguf does not exist/);
    expect((await stack.status())[0]).toMatchObject({ state: 'ready', pid });
    expect(isAlive(pid)).toBe(true);
    expect(await answers(stack.ports[0]!, '/health')).toBe(true); // the working server still serves

    const squatter = execa(NODE, ['-e', `require('net').createServer().listen(${squatPort}, '127.0.0.1', () => console.log('up'))`], { reject: false });
    try {
      await waitFor(async () => (await (await import('../../src/process/ports.js')).findPortHolder(squatPort!))?.pid === squatter.pid, 'the squatter listening');
      fs.writeFileSync(stack.configFile, llama(squatPort!, TINY_GGUF));
      const taken = await stack.cli(['reload']);
      expect(taken.exitCode).toBe(2);
      expect(taken.stderr).toMatch(new RegExp(`services\\.llama\\.port: port ${squatPort} is in use by pid ${squatter.pid}`));
      expect((await stack.status())[0]).toMatchObject({ state: 'ready', pid });
    } finally {
      squatter.kill('SIGKILL');
    }
    await waitFor(async () => !(await (await import('../../src/process/ports.js')).findPortHolder(squatPort!)), 'the squatter gone');
    const fixed = await stack.cli(['reload']);
    expect(fixed.exitCode, fixed.stderr).toBe(0);
    const after = (await stack.status())[0]!;
    expect(after).toMatchObject({ state: 'ready', port: squatPort });
    expect(after.pid).not.toBe(pid);
  });
  it('a reload to a model file the server cannot load leaves it in error; the reload that fixes the path starts it again', async () => {
    const stack = await makeStack((ports) => llama(ports[0]!, TINY_GGUF), 1);
    expect((await stack.cli(['start'])).exitCode).toBe(0);
    const pid = (await stack.status())[0]!.pid;
    // A file that is there (the check before the stop passes) but is no model: the new instance fails to load it.
    const broken = path.join(stack.dir, 'broken.gguf');
    fs.writeFileSync(broken, 'GGUF but not really a model');
    fs.writeFileSync(stack.configFile, llama(stack.ports[0]!, broken));
    const bad = await stack.cli(['reload']);
    expect(bad.exitCode).toBe(1);
    expect(bad.stdout).toMatch(/^✗ llama changed, restart failed: /m);
    const failed = await waitFor(async () => {
      const s = (await stack.status())[0]!;
      return s.state === 'error' ? s : null;
    }, 'llama in error');
    expect(failed.lastError).toMatch(/failed to load model|loading model|gguf_init_from_file/);
    expect(isAlive(pid)).toBe(false);

    fs.writeFileSync(stack.configFile, llama(stack.ports[0]!, TINY_GGUF));
    const fixed = await stack.cli(['reload']);
    expect(fixed.exitCode, fixed.stdout + fixed.stderr).toBe(0);
    expect(fixed.stdout).toMatch(/^✓ llama changed: restarted, ready in \d+\.\ds$/m);
    expect(fixed.stdout).not.toMatch(/not running/);
    const after = (await stack.status())[0]!;
    expect(after).toMatchObject({ state: 'ready', lastError: null });
    expect(after.pid).not.toBe(pid);
    expect(await answers(stack.ports[0]!, '/health')).toBe(true);
  });
});
