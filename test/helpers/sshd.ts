import fs from 'node:fs';
import path from 'node:path';
import { execa, type ResultPromise } from 'execa';
import { expect } from 'vitest';
import { canConnect } from '../../src/process/ports.js';
import { findFreePorts, waitFor } from './stack.js';

export const SSHD = ['/usr/sbin/sshd', '/usr/bin/sshd'].find((p) => fs.existsSync(p));
/** sshd on loopback needs root (it switches to the user) and the binary; CI installs openssh-server (.ci/run). */
export const haveSshd = Boolean(SSHD) && process.getuid?.() === 0;

export interface Sshd {
  port: number;
  key: string;
  /** An ssh_config with `Host box` (port, user, key, no host-key prompts): what a user's ~/.ssh/config would say. */
  sshConfig: string;
  /** LLAMA_TOP_SSH for llama-top: ssh reading that config. */
  sshCommand: string;
  /** Runs a shell command on the box (stdin optional), as the user would with `ssh box …`. */
  run(command: string, input?: Buffer | string): Promise<{ exitCode: number; stdout: string; stderr: string }>;
  stop(): Promise<void>;
}

/**
 * A real sshd on 127.0.0.1, in `dir`. With `privateDir`, sshd runs in a mount namespace of its own (`unshare -m`)
 * with a tmpfs over that directory: what it writes there is invisible here, as on another machine.
 */
export async function startSshd(dir: string, privateDir?: string): Promise<Sshd> {
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
  const sshConfig = path.join(dir, 'ssh_config');
  fs.writeFileSync(sshConfig, [
    'Host box', '  HostName 127.0.0.1', `  Port ${port}`, '  User root', `  IdentityFile ${key}`, '  IdentitiesOnly yes',
    '  StrictHostKeyChecking no', '  UserKnownHostsFile /dev/null', '  LogLevel ERROR', '',
  ].join('\n'));
  let daemon: ResultPromise;
  if (privateDir) {
    fs.mkdirSync(privateDir, { recursive: true });
    const inner = `mount -t tmpfs -o mode=0755 tmpfs '${privateDir}' && exec '${SSHD}' -D -e -f '${config}'`;
    daemon = execa('unshare', ['-m', '--propagation', 'private', 'sh', '-c', inner], { reject: false });
  } else daemon = execa(SSHD!, ['-D', '-e', '-f', config], { reject: false });
  await waitFor(() => canConnect('127.0.0.1', port!), 'sshd to listen');
  const sshCommand = `ssh -F ${sshConfig}`;
  return {
    port: port!,
    key,
    sshConfig,
    sshCommand,
    async run(command, input) {
      const r = await execa('ssh', ['-F', sshConfig, 'box', command], { reject: false, ...(input === undefined ? { stdin: 'ignore' as const } : { input }) });
      return { exitCode: r.exitCode ?? -1, stdout: String(r.stdout), stderr: String(r.stderr) };
    },
    async stop() {
      daemon.kill('SIGKILL');
      await daemon.catch(() => undefined);
    },
  };
}
