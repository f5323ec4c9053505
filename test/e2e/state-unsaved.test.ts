import { execFileSync, spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { cleanupAll, isAlive, killEverythingUnder, makeStack, NODE, waitFor } from '../helpers/stack.js';

afterEach(cleanupAll);

/** A full state disk needs a small filesystem of our own: a tmpfs, which only root can mount. */
function canMountTmpfs(): boolean {
  if (process.getuid?.() !== 0) return false;
  const probe = fs.mkdtempSync('/tmp/lt-tmpfs-probe-');
  const ok = spawnSync('mount', ['-t', 'tmpfs', '-o', 'size=1m', 'tmpfs', probe]).status === 0;
  if (ok) spawnSync('umount', [probe]);
  fs.rmdirSync(probe);
  return ok;
}

/** Fills the filesystem holding `dir` to the last byte; returns the file to delete to free it. */
function fill(dir: string): string {
  const file = path.join(dir, 'filler');
  const fd = fs.openSync(file, 'a');
  const block = Buffer.alloc(16 * 1024, 120);
  for (const size of [block.length, 1])
    try {
      for (;;) fs.writeSync(fd, block, 0, size);
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'ENOSPC') throw error;
    }
  fs.closeSync(fd);
  return file;
}

/** Live processes whose command line holds `word`. */
const pidsWith = (word: string) =>
  fs.readdirSync('/proc').filter((e) => /^\d+$/.test(e)).map(Number).filter((pid) => {
    try {
      return pid !== process.pid && fs.readFileSync(`/proc/${pid}/cmdline`, 'utf8').includes(word) && isAlive(pid);
    } catch {
      return false;
    }
  });

describe.each(['cgroup', 'marker'] as const)('state written while the disk is full (containment: %s)', (mechanism) => {
  it.skipIf(!canMountTmpfs())('is retried until it lands, says unsaved meanwhile, leaves no .tmp; after kill -9 nothing runs twice (needs root for mount)', async () => {
    const tag = `unsaved-${mechanism}-${process.pid}`;
    const svc = (name: string) => `  ${name}:
    kind: process
    command: [${JSON.stringify(NODE)}, -e, "setInterval(() => {}, 1000)", ${tag}-${name}]
    readyAfter: 100ms
    autostart: false`;
    const stack = await makeStack((_p, dir) => `logs: { dir: ${JSON.stringify(path.join(dir, 'logs'))} }\nservices:\n${['s1', 's2', 's3'].map(svc).join('\n')}\n`, 0);
    stack.env.LLAMA_TOP_CONTAINMENT = mechanism;
    stack.env.LLAMA_TOP_STATE_RETRY_MAX_MS = '500';
    const disk = path.join(stack.dir, 'disk');
    fs.mkdirSync(disk);
    execFileSync('mount', ['-t', 'tmpfs', '-o', 'size=512k,mode=700', 'tmpfs', disk]);
    stack.env.XDG_STATE_HOME = disk;
    const pidOf = async () => Object.fromEntries((await stack.status()).map((s) => [s.name, s.pid as number | null]));
    try {
      expect((await stack.cli(['start', 's1', 's3'])).exitCode).toBe(0);
      const stateDir = stack.stateDir();
      const stateFile = path.join(stateDir, 'state.json');
      const saved = () => JSON.parse(fs.readFileSync(stateFile, 'utf8')).services as Record<string, { pid: number }>;
      const tmpFiles = () => fs.readdirSync(stateDir).filter((f) => f.endsWith('.tmp'));
      const before = await pidOf();

      let filler = fill(disk);
      expect((await stack.cli(['start', 's2'])).exitCode).toBe(0);
      expect((await stack.cli(['restart', 's3'])).exitCode).toBe(0);
      expect((await stack.cli(['stop', 's1'])).exitCode).toBe(0);
      const during = await pidOf();
      expect(during.s3).not.toBe(before.s3);
      const status = await stack.cli(['status']);
      expect(status.stderr).toMatch(/warning: the stack's state is unsaved: .*state\.json could not be written since .* UTC \(ENOSPC/);
      expect(Object.fromEntries(Object.entries(saved()).map(([n, s]) => [n, s.pid]))).toEqual({ s1: before.s1, s3: before.s3 }); // whole, but stale
      expect(tmpFiles()).toEqual([]);

      fs.rmSync(filler);
      // No other change: the retry alone brings state.json up to date.
      await waitFor(() => JSON.stringify(Object.fromEntries(Object.entries(saved()).map(([n, s]) => [n, s.pid]))) === JSON.stringify({ s2: during.s2, s3: during.s3 }), 'state.json to catch up');
      expect((await stack.cli(['status'])).stderr).not.toMatch(/unsaved/);
      expect(tmpFiles()).toEqual([]);

      // Stale again, and the daemon dies before it can write: its successor must find what the file does not list.
      filler = fill(disk);
      expect((await stack.cli(['restart', 's3'])).exitCode).toBe(0);
      expect((await stack.cli(['start', 's1'])).exitCode).toBe(0);
      const running = await pidOf();
      const daemonPid = JSON.parse((await stack.cli(['daemon', 'status', '--json'])).stdout).pid as number;
      process.kill(daemonPid, 'SIGKILL');
      await waitFor(() => !isAlive(daemonPid), 'the daemon to die');
      fs.rmSync(filler);
      const start = await stack.cli(['start']);
      expect(start.exitCode, start.stderr).toBe(0);
      expect(await pidOf()).toEqual(running);
      for (const name of ['s1', 's2', 's3']) expect({ name, copies: pidsWith(`${tag}-${name}`).length }).toEqual({ name, copies: 1 });
      expect(fs.readFileSync(path.join(stateDir, 'daemon.log'), 'utf8')).toMatch(/s1: adopted pid \d+, found by its (cgroup|marker) .*: state\.json did not list this start/);
      expect(tmpFiles()).toEqual([]);
    } finally {
      await stack.cli(['daemon', 'stop', '--all'], { timeout: 30_000 });
      killEverythingUnder(stack.dir);
      spawnSync('umount', ['-l', disk]);
    }
  });
});
