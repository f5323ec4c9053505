import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { execa } from 'execa';
import { afterEach, describe, expect, it } from 'vitest';
import { answers, CLI, findFreePorts, isAlive, killEverythingUnder, NODE, threeServices, waitFor } from '../helpers/stack.js';
import { haveSshd, startSshd, type Sshd } from '../helpers/sshd.js';
import { TmuxScreen } from '../helpers/tmux.js';

// Root for sshd and for `unshare -m` (a private mount namespace); CI runs as root with openssh-server installed.
const runIt = haveSshd || process.env.CI ? it : it.skip;

interface RemoteStack {
  sshd: Sshd;
  /** The stack's directory on the box: a tmpfs only sshd's namespace sees. */
  remoteDir: string;
  config: string;
  ports: number[];
  env: Record<string, string>;
  remoteBin: string;
  cli(args: string[], timeout?: number): Promise<{ exitCode: number; stdout: string; stderr: string }>;
}

const cleanups: Array<() => Promise<void>> = [];
afterEach(async () => {
  for (const done of cleanups.splice(0).reverse()) await done().catch(() => undefined);
});

/** A box reached as `box` over a real sshd, its stack in a directory this side cannot read, copied there with tar | ssh. */
async function remoteStack(): Promise<RemoteStack> {
  const local = fs.mkdtempSync(path.join(os.tmpdir(), 'llama-top-remote-'));
  const remoteDir = path.join(local, 'box');
  const staging = path.join(local, 'staging');
  fs.mkdirSync(staging);
  const ports = await findFreePorts(3);
  fs.writeFileSync(path.join(staging, 'llama-top.yaml'), threeServices()(ports, staging));
  const sshd = await startSshd(local, remoteDir);
  cleanups.push(async () => {
    await sshd.stop();
    killEverythingUnder(remoteDir);
    fs.rmSync(local, { recursive: true, force: true });
  });
  const tar = await execa('tar', ['-C', staging, '-cf', '-', '.'], { encoding: 'buffer' });
  const copied = await sshd.run(`mkdir -p '${remoteDir}/run' && chmod 700 '${remoteDir}/run' && tar -C '${remoteDir}' -xf -`, tar.stdout);
  expect(copied.exitCode, copied.stderr).toBe(0);
  const remoteBin = `env XDG_STATE_HOME=${remoteDir}/state XDG_RUNTIME_DIR=${remoteDir}/run NO_COLOR=1 ${NODE} ${CLI}`;
  const config = path.join(remoteDir, 'llama-top.yaml');
  const env = { LLAMA_TOP_SSH: sshd.sshCommand, NO_COLOR: '1', LLAMA_TOP_CONFIG: '' };
  const stack: RemoteStack = {
    sshd, remoteDir, config, ports, env, remoteBin,
    async cli(args, timeout = 60_000) {
      const run = await execa(NODE, [CLI, ...args, '--remote', 'box', '--remote-bin', remoteBin, '--config', config], { env, reject: false, timeout, stdin: 'ignore', cwd: local });
      return { exitCode: run.exitCode ?? -1, stdout: String(run.stdout), stderr: String(run.stderr) };
    },
  };
  cleanups.push(async () => void (await stack.cli(['daemon', 'stop', '--all'], 30_000)));
  return stack;
}

describe('--remote: the stack on another machine, through ssh', () => {
  runIt('start, status, logs, restart, reload and stop over ssh; nothing of the stack is readable here', async () => {
    const stack = await remoteStack();
    expect(fs.existsSync(stack.config)).toBe(false); // another machine's file: this side never reads it
    const started = await stack.cli(['start']);
    expect(started.exitCode, started.stderr).toBe(0);
    expect(started.stdout).toMatch(/✓ llama\s+ready/);
    expect(await answers(stack.ports[0]!, '/health')).toBe(true);
    expect(fs.readdirSync(stack.remoteDir)).toEqual([]); // state and logs live on the box only

    const status = await stack.cli(['status', '--json']);
    expect(status.exitCode, status.stderr).toBe(0);
    const services = JSON.parse(status.stdout).services as Array<{ name: string; state: string; pid: number }>;
    expect(services.map((s) => `${s.name}:${s.state}`)).toEqual(['llama:ready', 'ollama:ready', 'chat:ready']);

    const logs = await stack.cli(['logs', 'llama', '-n', '5']);
    expect(logs.exitCode, logs.stderr).toBe(0);
    expect(logs.stdout).toMatch(/server is listening on/);

    const before = services.find((s) => s.name === 'llama')!.pid;
    const restarted = await stack.cli(['restart', 'llama']);
    expect(restarted.exitCode, restarted.stderr).toBe(0);
    const after = (JSON.parse((await stack.cli(['status', '--json', 'llama'])).stdout).services as Array<{ pid: number }>)[0]!.pid;
    expect(after).not.toBe(before);

    // reload: the remote daemon reads its own file (edited on the box)
    const edited = await stack.sshd.run(`sed -i 's/^name: test-stack/name: renamed-stack/' '${stack.config}'`);
    expect(edited.exitCode, edited.stderr).toBe(0);
    const reload = await stack.cli(['reload', '--json']);
    expect(reload.exitCode, reload.stderr).toBe(0);
    expect(JSON.parse(reload.stdout).unchanged).toEqual(['llama', 'ollama', 'chat']);
    const broken = await stack.sshd.run(`printf 'services:\\n  x: [\\n' > '${stack.config}'`);
    expect(broken.exitCode).toBe(0);
    const refused = await stack.cli(['reload']);
    expect(refused.exitCode).toBe(2);
    expect(refused.stderr).toMatch(/llama-top\.yaml:\d+:\d+/);

    const stopped = await stack.cli(['stop', '--json']);
    expect(stopped.exitCode, stopped.stderr).toBe(0);
    await waitFor(async () => !(await answers(stack.ports[0]!, '/health')), 'llama to stop');
    // Eight ssh round trips, each starting a node process on the far side: minutes on a 2-core machine at load 15.
  }, 240_000);

  runIt('the TUI over --remote: rows, the log pane and r work; a killed ssh link leaves the stack running and the TUI reconnects', async () => {
    const stack = await remoteStack();
    const quote = (w: string) => `'${w.replace(/'/g, `'\\''`)}'`;
    const command = [NODE, CLI, '--remote', 'box', '--remote-bin', stack.remoteBin, '--config', stack.config].map(quote).join(' ');
    const screen = await TmuxScreen.open(`remote-${path.basename(path.dirname(stack.remoteDir))}`, command, { ...stack.env, TERM: 'xterm-256color' }, 100, 30);
    cleanups.push(() => screen.close());
    await screen.waitFor(/● llama\s+ready[\s\S]*● ollama\s+ready[\s\S]*● chat\s+ready/, 'every service ready over ssh', 60_000);
    await screen.waitFor(/server is listening on/, "llama's log pane, read by the remote daemon");
    expect((await screen.text()).split('\n')[0]).toMatch(/^llama-top \S+ on box · daemon \d+ up/); // the header names the host
    const pidOf = async () => (JSON.parse((await stack.cli(['status', '--json', 'llama'])).stdout).services[0] as { pid: number }).pid;
    const before = await pidOf();
    await screen.keys('r');
    await waitFor(async () => (await pidOf()) !== before, 'r to restart llama on the box', 30_000);
    await screen.waitFor(/● llama\s+ready/, 'llama ready again');

    // The link drops (no clean logout): kill the TUI's ssh client.
    const links = (await execa('pgrep', ['-f', `ssh -F ${stack.sshd.sshConfig}.*dial-stdio`], { reject: false })).stdout.split('\n').filter(Boolean).map(Number);
    expect(links.length).toBeGreaterThan(0);
    for (const pid of links) process.kill(pid, 'SIGKILL');
    await screen.waitFor(/link to box lost, reconnecting/, 'the TUI to say the link is lost and it is reconnecting', 15_000);
    expect(await answers(stack.ports[0]!, '/health')).toBe(true); // the stack on the box runs on
    await screen.waitFor(/reconnected/, 'the TUI to reconnect over a new ssh link', 30_000);
    await screen.waitFor(/● llama\s+ready/, 'the rows again');
    expect(isAlive(links[0]!)).toBe(false);
  });

  runIt('several boxes in one TUI (the hosts file): grouped by host, r acts on the selected box, a box that drops or never answers says so', async () => {
    const stack = await remoteStack();
    const [closedPort] = await findFreePorts(1);
    fs.appendFileSync(stack.sshd.sshConfig, `Host ghost\n  HostName 127.0.0.1\n  Port ${closedPort}\n  ConnectTimeout 2\n`);
    const configHome = path.join(path.dirname(stack.remoteDir), 'xdg-config');
    fs.mkdirSync(path.join(configHome, 'llama-top'), { recursive: true });
    fs.writeFileSync(path.join(configHome, 'llama-top', 'hosts'), `# the usual boxes\nbox ${stack.config} ${stack.remoteBin}\nghost\n`);
    const env = { ...stack.env, XDG_CONFIG_HOME: configHome, TERM: 'xterm-256color' };
    const list = await execa(NODE, [CLI, 'hosts', 'list', '--json'], { env, reject: false });
    expect(JSON.parse(list.stdout).hosts.map((h: { host: string }) => h.host)).toEqual(['box', 'ghost']);

    const screen = await TmuxScreen.open(`hosts-${path.basename(path.dirname(stack.remoteDir))}`, `'${NODE}' '${CLI}' hosts`, env, 100, 30);
    cleanups.push(() => screen.close());
    // box autostarts its stack; ghost never answers.
    await screen.waitFor(/ box\s*\n[\s\S]*● llama\s+ready[\s\S]*● chat\s+ready[\s\S]* ghost\s*\n\s*✗ link\s+unreachable/, 'box grouped with its services, ghost unreachable', 60_000);
    await screen.waitFor(/box ✓ · ghost ✗ unreachable, retrying/, 'the header: each host and whether it answers');
    await screen.waitFor(/── box\/llama/, "the selected service's log pane, named with its host");
    const pidOf = async () => (JSON.parse((await stack.cli(['status', '--json', 'llama'])).stdout).services[0] as { pid: number }).pid;
    const before = await pidOf();
    await screen.keys('r');
    await waitFor(async () => (await pidOf()) !== before, 'r to restart llama on box', 30_000);

    const links = (await execa('pgrep', ['-f', `ssh -F ${stack.sshd.sshConfig}.* box .*dial-stdio`], { reject: false })).stdout.split('\n').filter(Boolean).map(Number);
    expect(links.length).toBeGreaterThan(0);
    for (const pid of links) process.kill(pid, 'SIGKILL');
    // A dropped link is being re-dialled, not "unreachable": its row (the STATE column cuts it at 17 columns) and the header say so.
    await screen.waitFor(/ box\s*\n\s*\S \S link\s+link lost, re|link to box lost, reconnecting/, 'box to show its link dropped', 15_000);
    await screen.waitFor(/box ✓ · ghost ✗/, 'box back over a new link, ghost still retrying', 30_000);
    await screen.waitFor(/● llama\s+ready/, "box's rows again");
  });

  runIt('ssh failures exit 3 with what ssh said; a missing remote llama-top names --remote-bin', async () => {
    const stack = await remoteStack();
    const unknownHost = await execa(NODE, [CLI, 'status', '--remote', 'nosuchhost.invalid'], { env: stack.env, reject: false, stdin: 'ignore' });
    expect(unknownHost.exitCode).toBe(3);
    expect(unknownHost.stderr).toMatch(/ssh nosuchhost\.invalid: .*(Could not resolve hostname|Name or service not known)/);
    const noBin = await execa(NODE, [CLI, 'status', '--remote', 'box', '--remote-bin', 'no-such-llama-top'], { env: stack.env, reject: false, stdin: 'ignore' });
    expect(noBin.exitCode).toBe(3);
    expect(noBin.stderr).toMatch(/box: no-such-llama-top: command not found[\s\S]*--remote-bin/);
    const noDaemon = await stack.cli(['daemon', 'status']);
    expect(noDaemon.exitCode, noDaemon.stderr).toBe(0);
    expect(noDaemon.stdout).toMatch(/daemon: not running on box/);
  });
});
