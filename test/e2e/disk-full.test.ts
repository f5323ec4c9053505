import { execFileSync, spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { cleanupAll, killEverythingUnder, makeStack, NODE, waitFor } from '../helpers/stack.js';

afterEach(cleanupAll);

/** A real full disk needs a small filesystem of our own: a tmpfs, which only root can mount. */
function canMountTmpfs(): boolean {
  if (process.getuid?.() !== 0) return false;
  const probe = fs.mkdtempSync('/tmp/lt-tmpfs-probe-');
  const ok = spawnSync('mount', ['-t', 'tmpfs', '-o', 'size=1m', 'tmpfs', probe]).status === 0;
  if (ok) spawnSync('umount', [probe]);
  fs.rmdirSync(probe);
  return ok;
}

const cpuTicks = (pid: number) => {
  const stat = fs.readFileSync(`/proc/${pid}/stat`, 'utf8');
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  return Number(fields[11]) + Number(fields[12]); // utime + stime
};

/** Fills the filesystem holding `dir` to the last byte. */
function fill(dir: string): string {
  const file = path.join(dir, 'filler');
  const fd = fs.openSync(file, 'w');
  const block = Buffer.alloc(64 * 1024, 120);
  try {
    for (;;) fs.writeSync(fd, block);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'ENOSPC') throw error;
  }
  try {
    for (;;) fs.writeSync(fd, block, 0, 1);
  } catch {
    // full to the byte
  }
  fs.closeSync(fd);
  return file;
}

describe('a full disk is a condition, not a crash', () => {
  it.skipIf(!canMountTmpfs())('state and logs on a full tmpfs: the daemon answers, keeps restarting, stays cool, says so; space back, all resumes (needs root for mount)', async () => {
    const stack = await makeStack(() => `
restart: { backoff: 200ms, maxBackoff: 200ms, maxRetries: 1000 }
services:
  talker:
    kind: process
    command: [${JSON.stringify(NODE)}, -e, "let i = 0; setInterval(() => console.log('talk', ++i, 'x'.repeat(200)), 20)"]
    readyAfter: 50ms
  crasher:
    kind: process
    command: [${JSON.stringify(NODE)}, -e, "console.log('up'); setTimeout(() => process.exit(3), 300)"]
    readyAfter: 50ms
`, 0);
    const disk = path.join(stack.dir, 'disk');
    fs.mkdirSync(disk);
    execFileSync('mount', ['-t', 'tmpfs', '-o', 'size=4m,mode=700', 'tmpfs', disk]);
    stack.env.XDG_STATE_HOME = disk;
    try {
      expect((await stack.cli(['start', 'talker'])).exitCode).toBe(0);
      expect((await stack.cli(['start', 'crasher', '--no-wait'])).exitCode).toBe(0);
      const daemon = JSON.parse((await stack.cli(['daemon', 'status', '--json'])).stdout).pid as number;
      const stateFile = path.join(disk, 'llama-top', fs.readdirSync(path.join(disk, 'llama-top'))[0]!, 'state.json');
      const filler = fill(disk);
      const restartsAt = async () => (await stack.status()).find((s) => s.name === 'crasher')!.restarts as number;
      const t0 = Date.now();
      const c0 = cpuTicks(daemon);
      const r0 = await restartsAt();
      await waitFor(async () => (await restartsAt()) >= r0 + 4, 'the crasher restarted 4 more times on a full disk', 30_000);
      const cpuShare = (cpuTicks(daemon) - c0) / 100 / ((Date.now() - t0) / 1000);
      expect(cpuShare).toBeLessThan(0.25); // the ENOSPC loop took 100 % of a core
      const status = await stack.cli(['status'], { timeout: 10_000 });
      expect(status.exitCode).toBe(0);
      expect(status.stderr).toMatch(/warning: disk full: .*disk.* KiB free; state\.json and daemon\.log cannot be written/);
      expect(status.stderr).toMatch(/the output of .*talker.* is dropped until space returns/);
      const crasher = (await stack.status()).find((s) => s.name === 'crasher')!;
      expect(crasher.lastError).toMatch(/the disk holding its logs is full \(ENOSPC/);
      expect(() => JSON.parse(fs.readFileSync(stateFile, 'utf8'))).not.toThrow(); // never left empty or cut

      fs.rmSync(filler);
      await waitFor(async () => (await stack.cli(['logs', 'talker', '-n', '400'])).stdout.match(/\[llama-top\] \d+ bytes of output were lost: the disk was full \(ENOSPC\)/), 'the talker writing again, saying what was lost');
      const after = await stack.cli(['status']);
      expect(after.stderr).not.toMatch(/disk full/);
      const before = JSON.parse(fs.readFileSync(stateFile, 'utf8')).updatedAt;
      await waitFor(() => JSON.parse(fs.readFileSync(stateFile, 'utf8')).updatedAt !== before, 'state.json written again');
      // The episode is in daemon.log either way: lines it could not write are counted and reported once space is
      // back; or, when a log writer's pruning freed a few KiB meanwhile, its own lines saying state.json failed got in.
      expect(fs.readFileSync(path.join(path.dirname(stateFile), 'daemon.log'), 'utf8')).toMatch(/daemon log line\(s\) were lost: the disk was full|cannot write .*state\.json: ENOSPC/);
    } finally {
      await stack.cli(['daemon', 'stop', '--all'], { timeout: 30_000 });
      killEverythingUnder(stack.dir);
      spawnSync('umount', ['-l', disk]);
    }
  });
});
