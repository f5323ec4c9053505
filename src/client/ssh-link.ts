import { spawn } from 'node:child_process';
import { Duplex } from 'node:stream';
import { LlamaTopError } from '../protocol/errors.js';
import { DaemonClient } from './daemon-client.js';

/** A stack on another machine: what `--remote`, `--remote-bin` and `--config` say. */
export interface RemoteTarget {
  /** Anything `ssh` accepts: `user@box`, a `Host` of ~/.ssh/config (its port, key and jump host apply). */
  host: string;
  /** The llama-top to run there (a command line, like rsync's --rsync-path); `llama-top` on the remote PATH by default. */
  bin: string;
  /** The remote config path, never read here; the remote llama-top finds its own when absent. */
  config?: string;
}

/** `dial-stdio --no-start` exits with this when no daemon runs there: the caller decides (e.g. "not running"). */
export const NO_DAEMON_EXIT = 4;

/** The ssh program and its own options: LLAMA_TOP_SSH (e.g. `ssh -F ./ssh_config`), else `ssh`. */
export function sshCommand(env: NodeJS.ProcessEnv = process.env): string[] {
  const words = (env.LLAMA_TOP_SSH ?? 'ssh').split(/\s+/).filter(Boolean);
  return words.length ? words : ['ssh'];
}

/** Quotes one word for the remote POSIX shell that ssh hands the command to. */
export const shellQuote = (word: string): string => (/^[\w@%+=:,./-]+$/.test(word) ? word : `'${word.replace(/'/g, `'\\''`)}'`);

/** A remote path for the shell there: quoted, except a leading `~/`, which that shell expands to its home. */
export const remotePath = (file: string): string => (file.startsWith('~/') ? `~/${shellQuote(file.slice(2))}` : shellQuote(file));

/** The remote command line: the relay, which connects to (or with `start`, first starts) the config's daemon. */
export function dialCommand(target: RemoteTarget, start: boolean): string {
  return [target.bin, 'dial-stdio', ...(target.config ? ['--config', remotePath(target.config)] : []), ...(start ? [] : ['--no-start'])].join(' ');
}

/** Every ssh argument: keep-alives so a dropped link is noticed within ~15 s, no tty, the command after `--`. */
export function sshArgs(target: RemoteTarget, start: boolean, env: NodeJS.ProcessEnv = process.env): string[] {
  const [, ...own] = sshCommand(env);
  return [...own, '-T', '-o', 'ServerAliveInterval=5', '-o', 'ServerAliveCountMax=3', '--', target.host, dialCommand(target, start)];
}

/** What a failed ssh said, as an error a user can act on; null for the "no daemon there" answer. */
export function sshFailure(target: RemoteTarget, code: number | null, signal: string | null, stderr: string): LlamaTopError | null {
  const said = stderr.trim().split('\n').filter(Boolean).slice(-3).join(' / ') || (signal ? `killed by ${signal}` : `exit code ${code}`);
  if (code === NO_DAEMON_EXIT) return null;
  if (code === 127 || /command not found|No such file or directory/.test(said.split(' / ').at(-1) ?? ''))
    return new LlamaTopError('UNREACHABLE', `${target.host}: ${target.bin}: command not found (${said})`, 'install llama-top there, or name it with --remote-bin "node /path/to/llama-top/bin/llama-top.js"');
  if (code === 255) return new LlamaTopError('UNREACHABLE', `ssh ${target.host}: ${said}`, 'check that `ssh HOST true` works from this shell (host, user, key, ~/.ssh/config)');
  if (code === 2) return new LlamaTopError('CONFIG', `${target.host}: ${said}`);
  return new LlamaTopError('UNREACHABLE', `${target.host}: ${said}`);
}

/**
 * Runs `ssh HOST llama-top dial-stdio` and speaks the protocol over its stdin/stdout, as docker's ssh:// transport
 * does: no port of ours is opened anywhere, and OpenSSH does authentication and encryption. Resolves on the remote
 * daemon's greeting; null when `start` is false and no daemon runs there.
 */
export async function dialSsh(target: RemoteTarget, start: boolean): Promise<DaemonClient | null> {
  try {
    return await dialOnce(target, start);
  } catch (error) {
    // A connection cut during the handshake (a busy sshd drops it: MaxStartups) is worth one more try.
    if (!(error instanceof LlamaTopError) || !TRANSIENT.test(error.message)) throw error;
    await new Promise((resolve) => setTimeout(resolve, 300));
    return dialOnce(target, start);
  }
}

/** The remote daemon must have greeted within this (ssh's own connect and auth included); LLAMA_TOP_GREETING_MS overrides. */
export const GREETING_DEADLINE_MS = 15_000;
const greetingDeadlineMs = () => Number(process.env.LLAMA_TOP_GREETING_MS) || GREETING_DEADLINE_MS;

/** What ssh said on stderr, for an error's end: its last lines, or nothing. */
const sshSaid = (stderr: string): string => {
  const said = stderr.trim().split('\n').filter(Boolean).slice(-3).join(' / ');
  return said ? ` (ssh said: ${said})` : ' (ssh said nothing)';
};

/** What came instead of the greeting, for the error: its start (control characters shown as ?) and its size. */
const whatCame = (head: string, bytes: number): string =>
  bytes === 0 ? 'nothing on its output' : `${bytes} bytes that are not the greeting, starting ${JSON.stringify(head.slice(0, 60).replace(/[\x00-\x1f]/g, '?'))}`;

/** How long ssh gets to exit by itself once its link is closed. */
const SSH_EXIT_GRACE_MS = 2000;

const TRANSIENT = /kex_exchange_identification|Connection reset by peer|Connection closed by .* port \d+/;

async function dialOnce(target: RemoteTarget, start: boolean): Promise<DaemonClient | null> {
  const [program] = sshCommand();
  const child = spawn(program!, sshArgs(target, start), { stdio: ['pipe', 'pipe', 'pipe'] });
  let stderr = '';
  child.stderr.setEncoding('utf8');
  child.stderr.on('data', (chunk: string) => (stderr = (stderr + chunk).slice(-4096)));
  const exited = new Promise<{ code: number | null; signal: string | null }>((resolve) => {
    child.once('exit', (code, signal) => resolve({ code, signal }));
    child.once('error', (error) => {
      stderr += `${program}: ${error.message}`;
      resolve({ code: 255, signal: null });
    });
  });
  child.stdin.on('error', () => undefined);
  const link = new Duplex({
    allowHalfOpen: false,
    read() {},
    write(chunk: Buffer, _encoding, done) {
      child.stdin.write(chunk, done);
    },
    final(done) {
      child.stdin.end(done);
    },
    destroy(error, done) {
      // Closing ssh's stdin ends the remote dial-stdio, and ssh exits with its status. Killing ssh at once would lose
      // that status when the remote side has just ended (ssh says 255 when signalled): only if it lingers.
      child.stdin.end();
      const running = () => child.exitCode === null && child.signalCode === null;
      if (running()) setTimeout(() => running() && child.kill(), SSH_EXIT_GRACE_MS).unref();
      if (running()) setTimeout(() => running() && child.kill('SIGKILL'), 2 * SSH_EXIT_GRACE_MS).unref(); // a wedged ssh
      done(error);
    },
  });
  // What arrives before the greeting, kept short for the error when it never comes (a banner, another program).
  let head = '';
  let before = 0;
  let greeted = false;
  child.stdout.on('data', (chunk: Buffer) => {
    if (!greeted) {
      if (head.length < 200) head += chunk.subarray(0, 200).toString('utf8');
      before += chunk.length;
    }
    link.push(chunk);
  });
  child.stdout.on('end', () => link.push(null));
  child.once('close', () => link.destroy());
  const client = DaemonClient.over(link);
  let timer: NodeJS.Timeout | undefined;
  const deadline = new Promise<'late'>((resolve) => (timer = setTimeout(() => resolve('late'), greetingDeadlineMs())));
  const outcome = await Promise.race([client.greeted.then(() => 'greeted' as const), exited, deadline]).catch(() => exited);
  clearTimeout(timer);
  if (outcome === 'greeted') {
    greeted = true;
    return client;
  }
  if (outcome === 'late') {
    client.close();
    child.kill('SIGKILL'); // a link that never greeted has nothing to finish
    await exited;
    const seconds = Math.round(greetingDeadlineMs() / 1000);
    throw new LlamaTopError(
      'UNREACHABLE',
      `${target.host}: no greeting from llama-top within ${seconds} s: got ${whatCame(head, before)}${sshSaid(stderr)}`,
      'check that `ssh HOST llama-top dial-stdio` answers at once (a login banner or a shell profile that prints and waits gets in the way; --remote-bin names the llama-top there)',
    );
  }
  client.close();
  if (client.closeReason) {
    // e.g. a daemon of another protocol version, or a line too long to be a greeting
    const reason = client.closeReason;
    if (reason.message.startsWith('the daemon (pid')) throw reason;
    throw new LlamaTopError(reason.code, `${target.host}: ${reason.message}${sshSaid(stderr)}`, reason.hint);
  }
  const { code, signal } = await exited;
  const failure = sshFailure(target, code, signal, stderr);
  if (failure) throw failure;
  return null;
}
