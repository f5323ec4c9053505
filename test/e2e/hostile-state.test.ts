import fs from 'node:fs';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { identify } from '../../src/process/identity.js';
import { cleanupAll, isAlive, makeStack, NODE, waitFor } from '../helpers/stack.js';

afterEach(cleanupAll);

const oneService = () => `services:\n  w:\n    kind: process\n    command: [${JSON.stringify(NODE)}, -e, "setInterval(() => {}, 1e9)"]\n    readyAfter: 50ms\n`;

describe('paths and pids nobody else can bend', () => {
  it('a forged state naming pid 1 is never adopted or signalled', async () => {
    const stack = await makeStack(oneService, 0);
    expect((await stack.cli(['status'])).exitCode).toBe(0);
    const stateFile = path.join(stack.stateDir(), 'state.json');
    expect((await stack.cli(['daemon', 'stop'])).exitCode).toBe(0);
    const init = identify(1)!;
    const forged = { version: 1, daemonPid: 999999, configFile: stack.configFile, updatedAt: new Date().toISOString(), services: { w: { pid: 1, startTicks: init.startTicks, logDir: null, startedAt: Date.now() } }, envOverrides: {} };
    fs.writeFileSync(stateFile, JSON.stringify(forged));
    const [w] = await stack.status();
    expect(w).toMatchObject({ state: 'stopped', pid: null });
    expect((await stack.cli(['stop', 'w'])).exitCode).toBe(0);
    expect(identify(1)?.startTicks).toBe(init.startTicks);
    const log = fs.readFileSync(path.join(stack.stateDir(), 'daemon.log'), 'utf8');
    expect(log).toMatch(/w: the state file names pid 1, which is pid 1, this daemon or one of its ancestors: never adopted or signalled/);
  });

  it('when state.json and its previous copy are both damaged, status says services may run unsupervised and start refuses a second copy until --force', async () => {
    const stack = await makeStack(oneService, 0);
    expect((await stack.cli(['start'])).exitCode).toBe(0);
    const pid = (await stack.status())[0]!.pid as number;
    const stateFile = path.join(stack.stateDir(), 'state.json');
    const daemon = JSON.parse((await stack.cli(['daemon', 'status', '--json'])).stdout).pid as number;
    process.kill(daemon, 'SIGKILL');
    await waitFor(() => !isAlive(daemon), 'the daemon gone');
    fs.writeFileSync(stateFile, '{"version": 1, "serv');
    fs.writeFileSync(`${stateFile}.prev`, '');
    const status = await stack.cli(['status']);
    expect(status.exitCode).toBe(0);
    expect(status.stderr).toMatch(/warning: state\.json and its previous copy were damaged .*services of this stack may be running unsupervised/);
    const json = JSON.parse((await stack.cli(['status', '--json'])).stdout);
    expect(json.problems.join('\n')).toMatch(/may be running unsupervised/);
    expect(isAlive(pid)).toBe(true); // nothing was signalled
    // A second copy of the same command line is refused until --force.
    const again = await stack.cli(['start', 'w']);
    expect(again.exitCode).not.toBe(0);
    expect(again.stderr).toContain(`w: pid ${pid} already runs its command line`);
    expect(again.stderr).toMatch(/llama-top start --force w/);
    expect((await stack.status())[0]).toMatchObject({ state: 'stopped', pid: null });
    const forced = await stack.cli(['start', 'w', '--force']);
    expect(forced.exitCode).toBe(0);
    const copy = (await stack.status())[0]!.pid as number;
    expect(copy).not.toBe(pid);
    process.kill(pid, 'SIGKILL');
  });

  it('refuses a logs.dir that other users can write into, naming it and the fix (exit 2), starting nothing', async () => {
    const stack = await makeStack(() => `logs: { dir: ./open-logs }\n${oneService()}`, 0);
    fs.mkdirSync(path.join(stack.dir, 'open-logs'));
    fs.chmodSync(path.join(stack.dir, 'open-logs'), 0o777);
    const run = await stack.cli(['start']);
    expect(run.exitCode).toBe(2);
    expect(run.stderr).toMatch(/logs\.dir .*open-logs is writable by every user \(mode 777\): another user could redirect llama-top's files/);
    expect(run.stderr).toMatch(/chmod go-w/);
    expect(JSON.parse((await stack.cli(['daemon', 'status', '--json'])).stdout).running).toBe(false);
  });
});
