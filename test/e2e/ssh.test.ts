import fs from 'node:fs';
import path from 'node:path';
import { execa } from 'execa';
import { afterEach, describe, expect, it } from 'vitest';
import { answers, cleanupAll, CLI, fixture, isAlive, makeStack, NODE, threeServices, waitFor } from '../helpers/stack.js';
import { haveSshd, startSshd, type Sshd } from '../helpers/sshd.js';

// CI installs openssh-server (.ci/run): there, a missing sshd is a failure, not a skip.
const runIt = haveSshd || process.env.CI ? it : it.skip;

let sshd: Sshd | null = null;
afterEach(async () => {
  await sshd?.stop();
  sshd = null;
  await cleanupAll();
});

describe('over SSH', () => {
  runIt('services started in an ssh -tt session keep answering after the link drops; a naive `cmd &` dies', async () => {
    const stack = await makeStack(threeServices(), 4);
    sshd = await startSshd(stack.dir);
    const { port, key } = sshd;
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
