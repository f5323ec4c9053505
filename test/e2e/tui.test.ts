import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { tmux, TmuxScreen } from '../helpers/tmux.js';
import { answers, cleanupAll, CLI, isAlive, makeStack, NODE, threeServices, waitFor, type Stack } from '../helpers/stack.js';

const screens: TmuxScreen[] = [];
afterEach(async () => {
  for (const s of screens.splice(0)) await s.close();
  await cleanupAll();
});

let opened = 0;
async function openTui(stack: Stack, columns = 80, rows = 24, env: Record<string, string> = {}): Promise<TmuxScreen> {
  const screen = await TmuxScreen.open(`tui-${path.basename(stack.dir)}-${opened++}`, `'${NODE}' '${CLI}' --config '${stack.configFile}'`, { ...stack.env, TERM: 'xterm-256color', ...env }, columns, rows);
  screens.push(screen);
  return screen;
}

const backendYaml = `backend:
  app: chat
  file: ./chat.json
  key: backend.active
  choices: { llamacpp: llama, ollama: ollama }
`;

describe('the TUI in a real terminal', () => {
  it('at 80×24: starts the stack, r / s / K y / b act on the services, q leaves them running', async () => {
    const stack = await makeStack(threeServices({ top: backendYaml }));
    const screen = await openTui(stack);
    await screen.waitFor(/● llama\s+ready[\s\S]*● ollama\s+ready[\s\S]*● chat\s+ready/, 'all three ready');
    const first = await screen.text();
    expect(first.split('\n')[0]).toMatch(/llama-top test-stack · daemon \d+ up \d+s · backend llamacpp/);
    expect(first).toMatch(/── llama ──/);
    expect(first).toMatch(/server is listening on http:\/\/127\.0\.0\.1/);
    for (const line of first.split('\n')) expect(line.length).toBeLessThanOrEqual(80);
    expect(first.trimEnd().split('\n').at(-1)).toMatch(/\? help · q quit$/); // the footer keeps help and quit at 80 columns

    // r on ollama: a new pid, and the outcome in the status line
    const before = (await stack.status())[1]!;
    await screen.keys('j');
    await screen.waitFor(/› ● ollama/, 'ollama selected');
    await screen.keys('r');
    await screen.waitFor(/ollama ready in \d+\.\d s/, 'restart outcome');
    const after = (await stack.status())[1]!;
    expect(after.pid).not.toBe(before.pid);
    expect(isAlive(before.pid)).toBe(false);

    // s stops it, s starts it again
    await screen.keys('s');
    await screen.waitFor(/ollama stopped in/, 'stopped');
    expect(isAlive(after.pid)).toBe(false);
    await screen.keys('s');
    await screen.waitFor(/ollama ready in/, 'started');

    // K asks, y force-stops
    const running = (await stack.status())[1]!;
    await screen.keys('K');
    await screen.waitFor(/Force-stop ollama .*\[y\/N\]/, 'confirmation');
    await screen.keys('y');
    await screen.waitFor(/ollama killed in/, 'killed');
    expect(isAlive(running.pid)).toBe(false);

    // b: the picker starts the target if needed, switches the chat app, which then reports it
    await screen.keys('b');
    await screen.waitFor(/Switch the chat app to[\s\S]*llamacpp\s+service llama\s+\(active\)[\s\S]*ollama\s+service ollama/, 'picker');
    await screen.keys('Down');
    await screen.keys('Enter');
    await screen.waitFor(/backend switched to ollama/, 'switched', 30_000);
    const chat = await fetch(`http://127.0.0.1:${stack.ports[2]}/api/backend`).then((r) => r.json());
    expect(chat).toMatchObject({ active: 'ollama' });
    await screen.waitFor(/backend ollama/, 'header shows the new backend');

    // q quits; everything keeps answering
    const pids = (await stack.status()).map((s) => s.pid);
    await screen.keys('q');
    await screen.waitFor(/the services keep running/, 'goodbye line', 20_000, true);
    expect(await answers(stack.ports[0]!, '/health')).toBe(true);
    expect(await answers(stack.ports[1]!, '/api/version')).toBe(true);
    expect(await answers(stack.ports[2]!, '/health')).toBe(true);
    expect((await stack.status()).map((s) => s.pid)).toEqual(pids);
  });

  it('redraws on resize; Tab stacks every log; / highlights matches; NO_COLOR leaves no colour codes', async () => {
    const stack = await makeStack(threeServices());
    const screen = await openTui(stack, 80, 24, { NO_COLOR: '1', TERM: 'screen' });
    await screen.waitFor(/● chat\s+ready/, 'ready');
    await screen.resize(120, 40);
    const big = await screen.waitFor(/↑↓ select · r restart.*Q stop all/, 'status line at the new width');
    expect(big.split('\n').length).toBe(40);
    expect(big.split('\n').at(-1)).toMatch(/Q stop all/);
    await screen.keys('Tab');
    await screen.waitFor(/── llama ──[\s\S]*── ollama ──[\s\S]*── chat ──/, 'stacked panes');
    await screen.resize(80, 24);
    await screen.waitFor(/── llama ──/, 'redrawn small');
    const small = await screen.text();
    for (const line of small.split('\n')) expect(line.length).toBeLessThanOrEqual(80);
    await screen.keys('Tab', '/');
    await screen.type('listening');
    await screen.keys('Enter');
    await waitFor(async () => /\x1b\[7m/.test(await screen.text(true)), 'an inverse-video match');
    const raw = await screen.text(true);
    // No foreground colour under NO_COLOR (39, "default colour", is a reset); bold and inverse stay.
    const params = [...raw.matchAll(/\x1b\[([0-9;]*)m/g)].flatMap((m) => m[1]!.split(';').map(Number));
    expect(params.filter((p) => (p >= 30 && p <= 38) || (p >= 90 && p <= 97))).toEqual([]);
  });

  it('services outlive the TUI killed with -9, and the TUI terminal hung up', async () => {
    const stack = await makeStack(threeServices());
    const screen = await openTui(stack);
    await screen.waitFor(/● chat\s+ready/, 'ready');
    const pids = (await stack.status()).map((s) => s.pid);
    const tuiPid = Number((await tmux(screen.session, ['display-message', '-p', '-t', screen.session, '#{pane_pid}'])).stdout);
    process.kill(tuiPid, 'SIGKILL');
    await waitFor(() => !isAlive(tuiPid), 'the TUI to die');
    expect((await stack.status()).map((s) => s.pid)).toEqual(pids);
    const again = await openTui(stack, 80, 24);
    await again.waitFor(/● chat\s+ready/, 'a second TUI');
    const secondPid = Number((await tmux(again.session, ['display-message', '-p', '-t', again.session, '#{pane_pid}'])).stdout);
    await again.close(); // the terminal goes away under it: SIGHUP
    await waitFor(() => !isAlive(secondPid), 'the hung-up TUI to exit');
    await waitFor(async () => (await answers(stack.ports[2]!, '/health')) && (await stack.status()).every((s) => s.state === 'ready'), 'services still up');
    expect((await stack.status()).map((s) => s.pid)).toEqual(pids);
  });

  it('Q asks, then stops every service and the daemon', async () => {
    const stack = await makeStack(threeServices());
    const screen = await openTui(stack);
    await screen.waitFor(/● chat\s+ready/, 'ready');
    const pids = (await stack.status()).map((s) => s.pid);
    await screen.keys('Q');
    await screen.waitFor(/Stop every service and quit\? \[y\/N\]/, 'confirmation');
    await screen.keys('y');
    await screen.waitFor(/every service stopped/, 'goodbye line', 20_000, true);
    for (const pid of pids) expect(isAlive(pid)).toBe(false);
  });

  it('says so when the daemon is killed, and reconnects to a new one that re-adopts the services', async () => {
    const stack = await makeStack(threeServices());
    const screen = await openTui(stack);
    await screen.waitFor(/● chat\s+ready/, 'ready');
    const daemon = JSON.parse((await stack.cli(['daemon', 'status', '--json'])).stdout).pid as number;
    const pids = (await stack.status()).map((s) => s.pid);
    process.kill(daemon, 'SIGKILL');
    await screen.waitFor(/daemon lost|lost the daemon|reconnected to the daemon/, 'the loss to be shown');
    await screen.waitFor(/reconnected to the daemon/, 'reconnection');
    const again = JSON.parse((await stack.cli(['daemon', 'status', '--json'])).stdout).pid as number;
    expect(again).not.toBe(daemon);
    expect((await stack.status()).map((s) => s.pid)).toEqual(pids);
    await screen.waitFor(new RegExp(`daemon ${again} up`), 'the new daemon in the header');
  });
});
