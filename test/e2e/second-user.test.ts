import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { execa } from 'execa';
import { afterEach, describe, expect, it } from 'vitest';
import { listChunks } from '../../src/logs/chunks.js';
import { cleanupAll, daemonRequest, fixture, makeStack, NODE, waitFor } from '../helpers/stack.js';

afterEach(cleanupAll);

const NOBODY = 65534;
const isRoot = process.getuid?.() === 0;
const why = isRoot ? '' : ' (skipped: needs root to run a second user, uid 65534)';

/** A /tmp-like directory every user can write into, with the sticky bit, that llama-top accepts as logs.dir. */
function sharedDir(): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'llama-top-shared-'));
  fs.chmodSync(dir, 0o1777);
  return dir;
}

const floodStack = (shared: string) => () => `
logs: { dir: ${JSON.stringify(shared)}, maxBytes: 200KB, maxFiles: 10 }
services:
  w:
    kind: process
    command: [${JSON.stringify(NODE)}, ${JSON.stringify(fixture('flood.mjs'))}, "20000", "1", "500", "100"]
    readyAfter: 50ms
`;

describe(`a second user on the machine cannot bend our log files${why}`, () => {
  it.skipIf(!isRoot)('racing the writer with symlinks through 20 starts and ~100 rotations wins nothing', async () => {
    const shared = sharedDir();
    const stack = await makeStack(floodStack(shared), 0);
    const victim = path.join(shared, 'victim');
    fs.writeFileSync(victim, 'untouched\n', { mode: 0o644 });
    expect((await stack.cli(['start', 'w'])).exitCode).toBe(0);
    const serviceDir = (await stack.status())[0]!.logDir as string;
    // The other user runs its own copy: the checkout may sit in a directory only we can read (mktemp -d).
    const racerDir = fs.mkdtempSync(path.join(os.tmpdir(), 'llama-top-racer-'));
    fs.chmodSync(racerDir, 0o755);
    const racerScript = path.join(racerDir, 'log-racer.mjs');
    fs.copyFileSync(fixture('log-racer.mjs'), racerScript);
    fs.chmodSync(racerScript, 0o644);
    const racer = execa(NODE, [racerScript, shared, victim, serviceDir], { uid: NOBODY, gid: NOBODY, reject: false });
    let started = '';
    racer.stdout!.on('data', (d) => (started += String(d)));
    await waitFor(() => started.includes('racing'), 'the racer to start');
    try {
      // Straight over the daemon's socket: each restart waits for its own end, not for a CLI to start on a busy machine.
      const { socket } = JSON.parse((await stack.cli(['daemon', 'status', '--json'])).stdout) as { socket: string };
      for (let i = 0; i < 20; i++) {
        const { results } = await daemonRequest<{ results: Array<{ ok: boolean; error?: string }> }>(socket, { type: 'restart', names: ['w'], wait: true }, 60_000);
        expect(results[0], `restart ${i + 1}: ${results[0]?.error}`).toMatchObject({ ok: true });
      }
      const dir = (await stack.status())[0]!.logDir as string;
      await waitFor(() => listChunks(dir).some((c) => fs.readFileSync(c.file, 'utf8').includes('flood: wrote')), 'the last flood to finish', 30_000);
      expect(listChunks(dir).at(-1)!.seq).toBeGreaterThan(60); // it rotated many times while the racer ran
    } finally {
      racer.kill('SIGTERM');
    }
    const report = String((await racer).stdout);
    fs.rmSync(racerDir, { recursive: true, force: true });
    expect(report).toMatch(/planted 0, swapped 0, tries [1-9]\d*/);
    expect(fs.readFileSync(victim, 'utf8')).toBe('untouched\n');
    const dir = (await stack.status())[0]!.logDir as string;
    for (const name of fs.readdirSync(dir)) {
      const st = fs.lstatSync(path.join(dir, name));
      expect(st.isFile() && st.uid === 0, `${name} is a file of ours`).toBe(true);
    }
    expect(fs.statSync(dir).mode & 0o077).toBe(0);
  }, 300_000); // 20 restarts of a flood with a racer beside it: each waits for its event; on a busy machine they add up

  it.skipIf(!isRoot)("refuses a stack log directory another user made first in a shared logs.dir, starting nothing", async () => {
    const shared = sharedDir();
    const stack = await makeStack(floodStack(shared), 0);
    // The name the stack will use, as the other user could work it out: <logs.dir>/<project dir>-<hash>.
    const probe = await stack.cli(['start']);
    expect(probe.exitCode).toBe(0);
    const stackDir = path.dirname((await stack.status())[0]!.logDir as string);
    expect((await stack.cli(['daemon', 'stop', '--all'])).exitCode).toBe(0);
    fs.rmSync(stackDir, { recursive: true });
    await execa(NODE, ['-e', `require('fs').mkdirSync(${JSON.stringify(stackDir)}, { mode: 0o777 })`], { uid: NOBODY, gid: NOBODY });
    const run = await stack.cli(['start']);
    expect(run.exitCode).toBe(2);
    expect(run.stderr).toContain(`this stack's log directory ${stackDir} is owned by uid ${NOBODY}, not by you (uid 0)`);
    expect(JSON.parse((await stack.cli(['daemon', 'status', '--json'])).stdout).running).toBe(false);
  });
});
