import fs from 'node:fs';
import path from 'node:path';
import { execa, type ResultPromise } from 'execa';
import { afterEach, describe, expect, it } from 'vitest';
import { canConnect } from '../../src/process/ports.js';
import { answers, cleanupAll, CLI, findFreePorts, fixture, isAlive, makeStack, NODE, threeServices, waitFor } from '../helpers/stack.js';

const SSHD = ['/usr/sbin/sshd', '/usr/bin/sshd'].find((p) => fs.existsSync(p));
const haveSsh = Boolean(SSHD) && process.getuid?.() === 0;
// CI installs openssh-server (.ci/run): there, a missing sshd is a failure, not a skip.
const runIt = haveSsh || process.env.CI ? it : it.skip;

let sshd: ResultPromise | null = null;
afterEach(async () => {
  sshd?.kill('SIGKILL');
  await sshd?.catch(() => undefined);
  sshd = null;
  await cleanupAll();
});

async function startSshd(dir: string): Promise<{ port: number; key: string }> {
  expect(SSHD, 'sshd is installed (apt-get install openssh-server)').toBeTruthy();
  const [port] = await findFreePorts(1);
  const key = path.join(dir, 'id_ed25519');
  await execa('ssh-keygen', ['-q', '-t', 'ed25519', '-N', '', '-f', key]);
  await execa('ssh-keygen', ['-q', '-t', 'ed25519', '-N', '', '-f', path.join(dir, 'host_key')]);
  fs.copyFileSync(`${key}.pub`, path.join(dir, 'authorized_keys'));
  fs.mkdirSync('/run/sshd', { recursive: true, mode: 0o755 });
  const config = path.join(dir, 'sshd_config');
  fs.writeFileSync(config, [
    `Port ${port}`, 'ListenAddress 127.0.0.1', `HostKey ${dir}/host_key`, `AuthorizedKeysFile ${dir}/authorized_keys`,
    'PermitRootLogin prohibit-password', 'PasswordAuthentication no', 'UsePAM no', 'StrictModes no', `PidFile ${dir}/sshd.pid`,
    'LogLevel ERROR',
  ].join('\n'));
  sshd = execa(SSHD!, ['-D', '-e', '-f', config], { reject: false });
  await waitFor(() => canConnect('127.0.0.1', port!), 'sshd to listen');
  return { port: port!, key };
}

describe('over SSH', () => {
  runIt('services started in an ssh -tt session keep answering after the link drops; a naive `cmd &` dies', async () => {
    const stack = await makeStack(threeServices(), 4);
    const { port, key } = await startSshd(stack.dir);
    const naivePort = stack.ports[3]!;
    const envs = Object.entries(stack.env).map(([k, v]) => `${k}='${v}'`).join(' ');
    const marker = path.join(stack.dir, 'remote-shell.pid');
    const remote = [
      `export ${envs}`,
      `echo $$ > '${marker}'`,
      `OLLAMA_HOST=127.0.0.1:${naivePort} '${NODE}' '${fixture('fake-ollama.mjs')}' > /dev/null 2>&1 &`,
      `'${NODE}' '${CLI}' start --config '${stack.configFile}' && echo STACK-$((1 + 1))-STARTED`,
      'sleep 600',
    ].join('\n');
    const client = execa('ssh', ['-tt', '-i', key, '-p', String(port), '-o', 'StrictHostKeyChecking=no', '-o', 'UserKnownHostsFile=/dev/null', '-o', 'LogLevel=ERROR', 'root@127.0.0.1', remote], {
      reject: false,
      stdin: 'pipe',
    });
    let output = '';
    client.stdout!.on('data', (chunk) => (output += chunk));
    await waitFor(() => output.includes('STACK-2-STARTED'), 'the stack to start over ssh', 60_000);
    expect(await answers(naivePort, '/api/version'), output).toBe(true);
    const remoteShell = Number(fs.readFileSync(marker, 'utf8'));

    client.kill('SIGKILL'); // the link drops: no clean logout
    await client;
    await waitFor(() => !isAlive(remoteShell), 'the remote login shell to be hung up', 30_000);
    await waitFor(async () => !(await answers(naivePort, '/api/version')), 'the naive background server to die with the session', 30_000);
    expect(await answers(stack.ports[0]!, '/health')).toBe(true);
    expect(await answers(stack.ports[1]!, '/api/version')).toBe(true);
    expect(await answers(stack.ports[2]!, '/health')).toBe(true);
    expect((await stack.status()).every((s) => s.state === 'ready')).toBe(true);
  });
});
