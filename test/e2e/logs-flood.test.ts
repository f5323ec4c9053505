import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { execa } from 'execa';
import { afterEach, describe, expect, it } from 'vitest';
import { listChunks, logDirBytes } from '../../src/logs/chunks.js';
import { cleanupAll, CLI, fixture, isAlive, makeStack, NODE, waitFor } from '../helpers/stack.js';

afterEach(cleanupAll);

const floodStack = (lines: number, options: { pauseMs?: number; chunk?: number; width?: number; logs?: string; gate?: [number, string] } = {}) => () => `
logs: ${options.logs ?? '{ dir: ./logs }'}
services:
  flood:
    kind: process
    command: [${JSON.stringify(NODE)}, ${JSON.stringify(fixture('flood.mjs'))}, "${lines}", "${options.pauseMs ?? 0}", "${options.chunk ?? 10_000}", "${options.width ?? 0}"${options.gate ? `, "${options.gate[0]}", ${JSON.stringify(options.gate[1])}` : ''}]
    readyAfter: 100ms
`;

const allText = (dir: string) => listChunks(dir).map((c) => fs.readFileSync(c.file, 'utf8')).join('');
/** A chunk listed a moment ago may be rotated away before it is read (the writer deletes the oldest): read as empty. */
const readChunk = (file: string) => {
  try {
    return fs.readFileSync(file, 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return '';
    throw error;
  }
};
const finished = (dir: string) => listChunks(dir).some((c) => readChunk(c.file).includes('flood: wrote'));

/** The numbered lines kept: consecutive (no gap, none twice) and ending with the last one written. */
function assertConsecutive(text: string, last: number, from?: number): void {
  const numbers = text.split('\n').filter((l) => l.startsWith('line ')).map((l) => Number(l.slice(5, 12)));
  expect(numbers.length).toBeGreaterThan(0);
  if (from !== undefined) expect(numbers[0]).toBe(from);
  for (let i = 1; i < numbers.length; i++) if (numbers[i] !== numbers[i - 1]! + 1) throw new Error(`after line ${numbers[i - 1]} comes ${numbers[i]}`);
  expect(numbers.at(-1)).toBe(last);
}

describe('logs go through a pipe to a writer of their own, not through the daemon', () => {
  it('keeps all 1,000,000 lines of a flood in order', async () => {
    const stack = await makeStack(floodStack(1_000_000), 0);
    expect((await stack.cli(['start', 'flood'])).exitCode).toBe(0);
    const [flood] = await stack.status();
    expect(flood!.logDir).toMatch(/\/logs\/[^/]+\/flood$/);
    await waitFor(() => finished(flood!.logDir), 'the flood to finish', 60_000);
    assertConsecutive(allText(flood!.logDir), 1_000_000, 1);
  });

  it('144 MB with maxBytes 20MB and the daemon killed -9 midway: never over 1.5x on disk, the last line kept, no gap', async () => {
    // 1,440,000 lines of 100 bytes, 20,000 every 10 ms; after 600,000 it waits for the gate file, which the test
    // creates once the daemon is dead: the kill lands mid-flood whatever the machine's load.
    const lines = 1_440_000;
    const gate = path.join(os.tmpdir(), `flood-gate-${process.pid}-${Date.now()}`);
    const stack = await makeStack(floodStack(lines, { pauseMs: 10, chunk: 20_000, width: 100, logs: '{ dir: ./logs, maxBytes: 20MB, maxFiles: 10 }', gate: [600_000, gate] }), 0);
    expect((await stack.cli(['start', 'flood'])).exitCode).toBe(0);
    const daemon = JSON.parse((await stack.cli(['daemon', 'status', '--json'])).stdout).pid as number;
    const [flood] = await stack.status();
    const dir = flood!.logDir as string;
    let peak = 0;
    const sampler = setInterval(() => (peak = Math.max(peak, logDirBytes(dir))), 5);
    try {
      await waitFor(() => logDirBytes(dir) > 5 * 1024 * 1024, 'the flood to be under way');
      process.kill(daemon, 'SIGKILL');
      await waitFor(() => !isAlive(daemon), 'the daemon to die');
      expect(finished(dir)).toBe(false);
      fs.writeFileSync(gate, ''); // the rest of the flood, with no daemon
      const [adopted] = await stack.status(); // a new daemon, which re-adopts the same process
      expect(adopted!.pid).toBe(flood!.pid);
      await waitFor(async () => (await stack.status())[0]!.state === 'ready', 'the adopted flood ready');
      await waitFor(() => finished(dir), 'the flood to finish', 120_000);
    } finally {
      clearInterval(sampler);
      fs.rmSync(gate, { force: true });
    }
    peak = Math.max(peak, logDirBytes(dir));
    expect(peak).toBeLessThanOrEqual(1.5 * 20 * 1024 * 1024);
    expect(peak).toBeGreaterThan(10 * 1024 * 1024); // it did rotate, keeping a good part of the budget
    assertConsecutive(allText(dir), lines);
  });

  it('each start writes a new chunk; old ones beyond maxFiles are deleted', async () => {
    const stack = await makeStack(() => `
logs: { dir: ./logs, maxFiles: 3 }
services:
  w:
    kind: process
    command: [${JSON.stringify(NODE)}, -e, "console.log('started', process.pid); setInterval(() => {}, 1e9)"]
    readyAfter: 50ms
`, 0);
    const pids: number[] = [];
    for (let i = 0; i < 5; i++) {
      expect((await stack.cli([i === 0 ? 'start' : 'restart', 'w'])).exitCode).toBe(0);
      pids.push((await stack.status())[0]!.pid);
    }
    const dir = (await stack.status())[0]!.logDir as string;
    await waitFor(() => allText(dir).includes(`started ${pids.at(-1)}`), 'the last start logged');
    const chunks = listChunks(dir);
    expect(chunks.length).toBeLessThanOrEqual(3);
    expect(path.basename(chunks.at(-1)!.file)).toBe('00000005.log');
    expect((await stack.cli(['logs', 'w'])).stdout).toContain(`started ${pids.at(-1)}`);
  });

  it('logs -f follows across rotations without losing a line', async () => {
    const lines = 200_000;
    const stack = await makeStack(floodStack(lines, { pauseMs: 20, chunk: 500, logs: '{ dir: ./logs, maxBytes: 4MB, maxFiles: 20 }' }), 0);
    expect((await stack.cli(['start', 'flood', '--no-wait'])).exitCode).toBe(0);
    const follower = execa(NODE, [CLI, 'logs', 'flood', '-f', '-n', '0', '--config', stack.configFile], { env: stack.env, reject: false, stdin: 'ignore', buffer: false });
    let out = '';
    follower.stdout!.on('data', (d: Buffer) => (out += d.toString()));
    try {
      await waitFor(() => out.includes('flood: wrote'), 'the follower to see the end', 90_000);
    } finally {
      follower.kill('SIGTERM');
      await follower;
    }
    expect(listChunks((await stack.status())[0]!.logDir).at(-1)!.seq).toBeGreaterThan(3); // it did rotate
    assertConsecutive(out, lines);
  });

  it('two stacks with the same logs.dir keep to their own subdirectories and never delete each other\'s files', async () => {
    const shared = fs.mkdtempSync(path.join(os.tmpdir(), 'llama-top-shared-logs-'));
    const config = () => `
logs: { dir: ${JSON.stringify(shared)}, maxFiles: 2 }
services:
  w:
    kind: process
    command: [${JSON.stringify(NODE)}, -e, "console.log('hello from', process.cwd()); setInterval(() => {}, 1e9)"]
    readyAfter: 50ms
`;
    try {
      const a = await makeStack(config, 0);
      const b = await makeStack(config, 0);
      expect((await a.cli(['start'])).exitCode).toBe(0);
      const aDir = (await a.status())[0]!.logDir as string;
      await waitFor(() => allText(aDir).includes('hello from'), 'a logs');
      for (let i = 0; i < 3; i++) expect((await b.cli([i ? 'restart' : 'start'])).exitCode).toBe(0);
      const bDir = (await b.status())[0]!.logDir as string;
      expect(path.dirname(path.dirname(aDir))).toBe(shared);
      expect(path.dirname(path.dirname(bDir))).toBe(shared);
      expect(aDir).not.toBe(bDir);
      expect(listChunks(aDir)).toHaveLength(1);
      expect(allText(aDir)).toContain('hello from');
    } finally {
      fs.rmSync(shared, { recursive: true, force: true });
    }
  });

  it('logs --timestamps, --since and --json: the time each line was written, read from the writer\'s index', async () => {
    const stack = await makeStack(() => `
logs: { dir: ./logs }
services:
  w:
    kind: process
    command: [${JSON.stringify(NODE)}, -e, "let i = 0; const t = setInterval(() => { console.log('tick', ++i); if (i === 3) clearInterval(t); }, 300); setInterval(() => {}, 1e9)"]
    readyAfter: 50ms
`, 0);
    const before = Date.now();
    expect((await stack.cli(['start'])).exitCode).toBe(0);
    await waitFor(async () => (await stack.cli(['logs', 'w'])).stdout.includes('tick 3'), 'three ticks');
    const stamped = (await stack.cli(['logs', 'w', '--timestamps'])).stdout.trim().split('\n');
    expect(stamped).toHaveLength(3);
    for (const line of stamped) {
      const m = /^(\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z) tick \d$/.exec(line);
      expect(m).not.toBeNull();
      const at = Date.parse(m![1]!);
      expect(at).toBeGreaterThanOrEqual(before - 1000);
      expect(at).toBeLessThanOrEqual(Date.now());
    }
    const json = (await stack.cli(['logs', 'w', '--json'])).stdout.trim().split('\n').map((l) => JSON.parse(l));
    expect(json[2]).toEqual({ service: 'w', time: stamped[2]!.slice(0, 24), line: 'tick 3' });
    expect((await stack.cli(['logs', 'w', '--since', '10m'])).stdout.trim().split('\n')).toEqual(['tick 1', 'tick 2', 'tick 3']);
    expect((await stack.cli(['logs', 'w', '--since', '0s'])).stdout.trim()).toBe('');
    const bad = await stack.cli(['logs', 'w', '--since', 'yesterday']);
    expect(bad.exitCode).toBe(2);
    expect(bad.stderr).toMatch(/--since takes a duration like 30s, 10m or 2h, not "yesterday"/);
  });

  it('sets PYTHONUNBUFFERED=1 unless the config says otherwise', async () => {
    const stack = await makeStack(() => `
logs: { dir: ./logs }
services:
  py:
    kind: process
    command: [${JSON.stringify(NODE)}, -e, "console.log('PYU=' + process.env.PYTHONUNBUFFERED); setInterval(() => {}, 1e9)"]
    readyAfter: 50ms
  py2:
    kind: process
    command: [${JSON.stringify(NODE)}, -e, "console.log('PYU=' + process.env.PYTHONUNBUFFERED); setInterval(() => {}, 1e9)"]
    env: { PYTHONUNBUFFERED: "0" }
    readyAfter: 50ms
`, 0);
    expect((await stack.cli(['start'])).exitCode).toBe(0);
    await waitFor(async () => (await stack.cli(['logs', 'py'])).stdout.includes('PYU=1'), 'py output');
    await waitFor(async () => (await stack.cli(['logs', 'py2'])).stdout.includes('PYU=0'), 'py2 output');
  });

  it('restarts while the old writer still drains the pipe never collide on a chunk number', async () => {
    // 20 KB chunks and a service that writes without pause: at each restart the old writer is still rotating.
    const stack = await makeStack(floodStack(50_000_000, { logs: '{ dir: ./logs, maxBytes: 200KB, maxFiles: 10 }', width: 100 }), 0);
    for (let i = 0; i < 10; i++) {
      const run = await stack.cli(['restart', 'flood']);
      expect(run.exitCode, run.stdout + run.stderr).toBe(0);
    }
    const dir = (await stack.status())[0]!.logDir as string;
    const seqs = listChunks(dir).map((c) => c.seq);
    expect(new Set(seqs).size).toBe(seqs.length);
    expect(logDirBytes(dir)).toBeLessThanOrEqual(1.5 * 200 * 1024);
  });
});
