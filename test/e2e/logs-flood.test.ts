import fs from 'node:fs';
import { afterEach, describe, expect, it } from 'vitest';
import { cleanupAll, fixture, isAlive, makeStack, NODE, waitFor } from '../helpers/stack.js';

afterEach(cleanupAll);

const LINES = 1_000_000;
const floodStack = (pauseMs: number) => () => `
logs: { dir: ./logs, maxFiles: 3 }
services:
  flood:
    kind: process
    command: [${JSON.stringify(NODE)}, ${JSON.stringify(fixture('flood.mjs'))}, "${LINES}", "${pauseMs}"]
    readyAfter: 100ms
`;

/** Checks every numbered line is there once, in order. */
function assertAllLines(file: string): void {
  const text = fs.readFileSync(file, 'utf8');
  const lines = text.split('\n').filter((l) => l.startsWith('line '));
  expect(lines.length).toBe(LINES);
  for (let i = 0; i < lines.length; i++) if (lines[i] !== `line ${String(i + 1).padStart(7, '0')}`) throw new Error(`line ${i + 1} is "${lines[i]}"`);
}

describe('logs written by the kernel straight into the file', () => {
  it('keeps all 1,000,000 lines of a flood in order, in <service>_YYYYMMDD_HHMMSS.log', async () => {
    const stack = await makeStack(floodStack(0), 0);
    expect((await stack.cli(['start', 'flood'])).exitCode).toBe(0);
    const [flood] = await stack.status();
    expect(flood!.logFile).toMatch(/\/logs\/flood_\d{8}_\d{6}\.log$/);
    await waitFor(() => fs.readFileSync(flood!.logFile, 'utf8').includes('flood: wrote'), 'the flood to finish', 60_000);
    assertAllLines(flood!.logFile);
  });

  it('loses no line when the daemon is killed in the middle of the flood', async () => {
    // Paced (10,000 lines every 20 ms) so that the kill lands mid-flood, which the test checks.
    const stack = await makeStack(floodStack(20), 0);
    expect((await stack.cli(['start', 'flood', '--no-wait'])).exitCode).toBe(0);
    const daemon = JSON.parse((await stack.cli(['daemon', 'status', '--json'])).stdout).pid as number;
    const logFile = await waitFor(async () => (await stack.status())[0]!.logFile, 'a log file');
    await waitFor(() => fs.statSync(logFile).size > 0, 'the flood to begin');
    process.kill(daemon, 'SIGKILL');
    await waitFor(() => !isAlive(daemon), 'the daemon to die');
    expect(fs.readFileSync(logFile, 'utf8')).not.toContain('flood: wrote');
    await waitFor(() => fs.readFileSync(logFile, 'utf8').includes('flood: wrote'), 'the flood to finish', 60_000);
    assertAllLines(logFile);
  });

  it('keeps at most logs.maxFiles files per service, one per start', async () => {
    const stack = await makeStack(() => `
logs: { dir: ./logs, maxFiles: 2 }
services:
  w:
    kind: process
    command: [${JSON.stringify(NODE)}, -e, "console.log('started', process.pid); setInterval(() => {}, 1e9)"]
    readyAfter: 50ms
`, 0);
    const pids: number[] = [];
    for (let i = 0; i < 4; i++) {
      expect((await stack.cli([i === 0 ? 'start' : 'restart', 'w'])).exitCode).toBe(0);
      pids.push((await stack.status())[0]!.pid);
    }
    const files = fs.readdirSync(`${stack.dir}/logs`).sort();
    expect(files).toHaveLength(2);
    expect(files.every((f) => /^w_\d{8}_\d{6}(-\d+)?\.log$/.test(f))).toBe(true);
    const current = (await stack.status())[0]!.logFile;
    expect(files.map((f) => `${stack.dir}/logs/${f}`)).toContain(current);
    expect(fs.readFileSync(current, 'utf8')).toContain(`started ${pids.at(-1)}`);
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
});
