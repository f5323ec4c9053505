import { execa } from 'execa';
import { describe, expect, it } from 'vitest';
import { GREETING_DEADLINE_MS } from '../../src/client/ssh-link.js';
import { CLI, fixture, NODE } from '../helpers/stack.js';

/** `llama-top status --remote box` through a stand-in ssh that never greets; its exit, output and duration. */
async function statusThrough(mode: string) {
  const started = Date.now();
  const run = await execa(NODE, [CLI, 'status', '--remote', 'box'], {
    env: { LLAMA_TOP_SSH: `${NODE} ${fixture('ssh-standin.mjs')} ${mode}`, LLAMA_TOP_CONFIG: '', NO_COLOR: '1' },
    reject: false,
    timeout: 60_000,
    stdin: 'ignore',
  });
  return { exitCode: run.exitCode, stderr: String(run.stderr), seconds: (Date.now() - started) / 1000 };
}

describe('--remote: a far end that never greets', () => {
  it('exits 3 within the 15 s greeting deadline with what ssh said, whether the far end is silent or a banner that never ends', async () => {
    const [silent, banner] = await Promise.all([statusThrough('silent'), statusThrough('banner')]);
    for (const run of [silent, banner]) {
      expect(run.exitCode, run.stderr).toBe(3);
      expect(run.stderr).toContain(`box: no greeting from llama-top within ${GREETING_DEADLINE_MS / 1000} s`);
      expect(run.stderr).toMatch(/ssh said: debug1: Authenticated to box/);
      expect(run.seconds).toBeGreaterThanOrEqual(GREETING_DEADLINE_MS / 1000 - 1);
      expect(run.seconds).toBeLessThan(GREETING_DEADLINE_MS / 1000 + 10); // the deadline, plus a busy machine's start-up
    }
    expect(silent.stderr).toContain('got nothing on its output');
    expect(banner.stderr).toMatch(/got \d+ bytes that are not the greeting, starting "Welcome to box! Welcome/);
  }, 60_000);

  it('drops a 20 MB line as soon as it passes the 1 MiB cap, without waiting for its end or the deadline', async () => {
    const run = await statusThrough('long');
    expect(run.exitCode, run.stderr).toBe(3);
    expect(run.stderr).toContain("box: the other end sent a line over 1 MiB instead of the daemon's greeting: it is not llama-top (ssh said: debug1: Authenticated to box");
    expect(run.seconds).toBeLessThan(GREETING_DEADLINE_MS / 1000); // the cap ended it, not the deadline
  }, 60_000);
});
