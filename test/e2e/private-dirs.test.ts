import fs from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { daemonPaths } from '../../src/daemon/paths.js';
import { cleanupAll, makeStack, NODE, type Stack } from '../helpers/stack.js';

afterEach(cleanupAll);

const NOBODY = 65534;
const isRoot = process.getuid?.() === 0;
const why = isRoot ? '' : ' (skipped: needs root to chown a directory to uid 65534)';

const oneService = () => `
services:
  w:
    kind: process
    command: [${JSON.stringify(NODE)}, -e, "setInterval(() => {}, 1000)"]
    readyAfter: 50ms
`;

/**
 * A stack whose runtime dir is too long for a socket path, so the socket falls back to $TMPDIR/llama-top-<uid>; TMPDIR
 * is a /tmp of its own (mode 1777, as /tmp is), where another user can make that directory first.
 */
async function fallbackStack(): Promise<{ stack: Stack; tmp: string; fallback: string; socket: string }> {
  const stack = await makeStack(oneService, 0);
  const tmp = path.join(stack.dir, 'tmp');
  fs.mkdirSync(tmp);
  fs.chmodSync(tmp, 0o1777);
  const runtime = path.join(stack.dir, 'run', 'a-runtime-directory-with-a-path-too-long-for-a-unix-socket'.repeat(2));
  fs.mkdirSync(runtime, { recursive: true, mode: 0o700 });
  Object.assign(stack.env, { XDG_RUNTIME_DIR: runtime, TMPDIR: tmp });
  const paths = daemonPaths(fs.realpathSync(stack.configFile), { ...process.env, ...stack.env });
  const fallback = path.join(tmp, `llama-top-${process.getuid!()}`);
  expect(paths.socketDir).toBe(fallback); // the case under test: the long runtime dir forced the fallback
  return { stack, tmp, fallback, socket: paths.socket };
}

describe(`a directory another user made first never holds our socket${why}`, () => {
  it.skipIf(!isRoot)('refuses (exit 2, naming the owner) a squatted socket directory, and never connects to the socket in it', async () => {
    const { stack, fallback, socket } = await fallbackStack();
    fs.mkdirSync(fallback, { mode: 0o777 });
    fs.chmodSync(fallback, 0o777);
    fs.chownSync(fallback, NOBODY, NOBODY);
    // The squatter's stand-in daemon: it would receive reload's whole config and answer stop with a fake success.
    let connections = 0;
    const fake = net.createServer((s) => {
      connections++;
      s.destroy();
    });
    await new Promise<void>((resolve) => fake.listen(socket, resolve));
    try {
      for (const args of [['status'], ['start', 'w'], ['stop'], ['reload']]) {
        const run = await stack.cli(args);
        expect(run.exitCode, `${args.join(' ')}: ${run.stdout}${run.stderr}`).toBe(2);
        expect(run.stderr).toContain(`the socket directory ${fallback} is owned by nobody (uid ${NOBODY}), not by you, root (uid 0)`);
        expect(run.stderr).toContain(`hint: point XDG_RUNTIME_DIR (or TMPDIR) at a directory only you can write to, or have it removed (rm -r ${fallback}, by its owner or root)`);
      }
      expect(connections).toBe(0);
      expect(fs.existsSync(path.join(stack.env.XDG_STATE_HOME!, 'llama-top'))).toBe(false); // refused before anything was made or started
    } finally {
      fake.close();
    }
  });

  it.skipIf(!isRoot)('refuses a symlink planted where the socket directory goes', async () => {
    const { stack, tmp, fallback } = await fallbackStack();
    const elsewhere = fs.mkdtempSync(path.join(tmp, 'theirs-'));
    fs.symlinkSync(elsewhere, fallback);
    const run = await stack.cli(['start', 'w']);
    expect(run.exitCode).toBe(2);
    expect(run.stderr).toContain(`the socket directory ${fallback} is a symlink (to ${elsewhere})`);
    expect(fs.readdirSync(elsewhere)).toEqual([]);
  });

  it.skipIf(!isRoot)('a daemon started by hand refuses the squatted directory too (exit 2 in its log)', async () => {
    const { stack, fallback } = await fallbackStack();
    fs.mkdirSync(fallback);
    fs.chownSync(fallback, NOBODY, NOBODY);
    const { execa } = await import('execa');
    const main = path.join(path.dirname(new URL(import.meta.url).pathname), '../../dist/daemon/main.js');
    const run = await execa(NODE, [main, '--config', fs.realpathSync(stack.configFile), '--foreground'], { env: { ...process.env, ...stack.env }, reject: false, timeout: 30_000 });
    expect(run.exitCode).toBe(2);
    expect(run.stdout).toContain(`the socket directory ${fallback} is owned by nobody (uid ${NOBODY})`);
    expect(fs.readdirSync(fallback)).toEqual([]);
  });

  it.skipIf(!isRoot)('refuses a state directory (state.json, the HTTP token) another user made first', async () => {
    const stack = await makeStack(oneService, 0);
    const paths = daemonPaths(fs.realpathSync(stack.configFile), { ...process.env, ...stack.env });
    fs.mkdirSync(paths.stateDir, { recursive: true });
    fs.chownSync(paths.stateDir, NOBODY, NOBODY);
    const run = await stack.cli(['start', 'w']);
    expect(run.exitCode).toBe(2);
    expect(run.stderr).toContain(`the state directory ${paths.stateDir} is owned by nobody (uid ${NOBODY})`);
    expect(run.stderr).toContain('XDG_STATE_HOME');
  });

  it('the fallback directory we make ourselves is private and works', async () => {
    const { stack, fallback, socket } = await fallbackStack();
    const started = await stack.cli(['start', 'w']);
    expect(started.exitCode, started.stderr).toBe(0);
    const st = fs.statSync(fallback);
    expect(st.uid).toBe(os.userInfo().uid);
    expect(st.mode & 0o777).toBe(0o700);
    expect(fs.existsSync(socket)).toBe(true);
  });
});
