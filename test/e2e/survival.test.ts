import fs from 'node:fs';
import path from 'node:path';
import { execa } from 'execa';
import { afterEach, describe, expect, it } from 'vitest';
import { answers, cleanupAll, CLI, isAlive, makeStack, NODE, threeServices, waitFor } from '../helpers/stack.js';
import { tmux } from '../helpers/tmux.js';

afterEach(cleanupAll);

const daemonPid = async (stack: Awaited<ReturnType<typeof makeStack>>) => JSON.parse((await stack.cli(['daemon', 'status', '--json'])).stdout).pid as number;

describe('services outlive everything above them', () => {
  it('survive the end of a tmux session in which `start` ran (a real terminal hang-up)', async () => {
    const stack = await makeStack(threeServices());
    const session = `lt-${path.basename(stack.dir)}`;
    const envArgs = Object.entries(stack.env).map(([k, v]) => `${k}=${v}`);
    const done = path.join(stack.dir, 'started');
    // The shell in the pane runs start, records its exit code, then stays: killing the session hangs it up.
    const command = `env ${envArgs.map((a) => `'${a}'`).join(' ')} '${NODE}' '${CLI}' start --config '${stack.configFile}'; echo $? > '${done}'; exec sleep 600`;
    const created = await tmux(session, ['new-session', '-d', '-s', session, '-x', '120', '-y', '30', command]);
    expect(created.exitCode).toBe(0);
    try {
      await waitFor(() => fs.existsSync(done) && fs.readFileSync(done, 'utf8').trim() !== '', 'start to finish in tmux', 40_000);
      expect(fs.readFileSync(done, 'utf8').trim()).toBe('0');
    } finally {
      await tmux(session, ['kill-server']); // the terminal goes away: SIGHUP to everything in the session
    }
    const daemon = await daemonPid(stack);
    for (const [i, port] of stack.ports.entries()) expect(await answers(port, i === 1 ? '/api/version' : '/health')).toBe(true);
    expect(isAlive(daemon)).toBe(true);
    const services = await stack.status();
    expect(services.every((s) => s.state === 'ready')).toBe(true);
  });

  it('survive SIGHUP to the process group and session of the client that started them', async () => {
    const stack = await makeStack(threeServices());
    // setsid makes a new session whose leader is the shell; SIGHUP to its group is what a closing terminal sends.
    const shell = execa('setsid', ['--wait', 'sh', '-c', `'${NODE}' '${CLI}' start --config '${stack.configFile}' && kill -HUP -$$; sleep 600`], {
      env: stack.env,
      reject: false,
      stdin: 'ignore',
    });
    const result = await shell;
    expect(result.signal ?? result.exitCode).toBe('SIGHUP');
    for (const [i, port] of stack.ports.entries()) expect(await answers(port, i === 1 ? '/api/version' : '/health')).toBe(true);
  });

  it('survive kill -9 of the daemon; the next command re-adopts the same pids and spawns no second copy', async () => {
    const stack = await makeStack(threeServices());
    expect((await stack.cli(['start'])).exitCode).toBe(0);
    const before = await stack.status();
    const daemon = await daemonPid(stack);
    process.kill(daemon, 'SIGKILL');
    await waitFor(() => !isAlive(daemon), 'the daemon to die');
    for (const [i, port] of stack.ports.entries()) expect(await answers(port, i === 1 ? '/api/version' : '/health')).toBe(true);

    const after = await stack.status();
    expect(await daemonPid(stack)).not.toBe(daemon);
    expect(after.map((s) => s.pid)).toEqual(before.map((s) => s.pid));
    await waitFor(async () => (await stack.status()).every((s) => s.state === 'ready'), 'adopted services to be ready');
    // start again: nothing new is spawned.
    expect((await stack.cli(['start'])).exitCode).toBe(0);
    expect((await stack.status()).map((s) => s.pid)).toEqual(before.map((s) => s.pid));
    // and the adopted services can still be stopped, their whole tree.
    expect((await stack.cli(['stop'])).exitCode).toBe(0);
    for (const s of before) expect(isAlive(s.pid)).toBe(false);
  });

  it('a restarted daemon notices an adopted service that then dies, and restarts it', async () => {
    const stack = await makeStack(threeServices());
    expect((await stack.cli(['start', 'ollama'])).exitCode).toBe(0);
    const daemon = await daemonPid(stack);
    process.kill(daemon, 'SIGKILL');
    await waitFor(() => !isAlive(daemon), 'the daemon to die');
    const adopted = (await stack.status())[1]!;
    process.kill(adopted.pid, 'SIGKILL');
    const restarted = await waitFor(async () => {
      const s = (await stack.status())[1]!;
      return s.state === 'ready' && s.pid !== adopted.pid ? s : null;
    }, 'ollama restarted after its adopted process died');
    expect(restarted.restarts).toBe(1);
  });

  it('clients racing to start the daemon end up sharing one', async () => {
    const stack = await makeStack(threeServices());
    const runs = await Promise.all(Array.from({ length: 5 }, () => stack.cli(['status', '--json'])));
    for (const run of runs) expect(run.stderr).toBe('');
    expect(runs.map((r) => r.exitCode)).toEqual([0, 0, 0, 0, 0]);
    const daemons = fs.readFileSync(path.join(stack.stateDir(), 'daemon.log'), 'utf8').match(/daemon \d+ listening/g);
    expect(daemons).toHaveLength(1);
  });

  it('never adopts or signals a pid from the state file that now belongs to another process', async () => {
    const stack = await makeStack(threeServices());
    expect((await stack.cli(['start', 'ollama'])).exitCode).toBe(0);
    const daemon = await daemonPid(stack);
    process.kill(daemon, 'SIGKILL');
    await waitFor(() => !isAlive(daemon), 'the daemon to die');
    const stateFile = path.join(stack.stateDir(), 'state.json');
    const state = JSON.parse(fs.readFileSync(stateFile, 'utf8'));
    // Pretend the pid was reused: a stranger now has the recorded pid (a different start time).
    const stranger = execa('sleep', ['600'], { reject: false });
    await waitFor(() => stranger.pid && isAlive(stranger.pid), 'stranger');
    const real = state.services.ollama.pid as number;
    process.kill(real, 'SIGKILL');
    await waitFor(() => !isAlive(real), 'the real ollama to die');
    state.services.ollama.pid = stranger.pid;
    fs.writeFileSync(stateFile, JSON.stringify(state));

    const services = await stack.status();
    expect(services[1]!.pid).toBeNull();
    expect(services[1]!.state).toBe('stopped');
    expect((await stack.cli(['start', 'ollama'])).exitCode).toBe(0);
    expect((await stack.cli(['stop'])).exitCode).toBe(0);
    expect(isAlive(stranger.pid!)).toBe(true);
    stranger.kill('SIGKILL');
    const daemonLog = fs.readFileSync(path.join(stack.stateDir(), 'daemon.log'), 'utf8');
    expect(daemonLog).toMatch(new RegExp(`pid ${stranger.pid} from the state file is gone or is another process now`));
  });
});
