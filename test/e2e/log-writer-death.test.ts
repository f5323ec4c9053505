import fs from 'node:fs';
import { afterEach, describe, expect, it } from 'vitest';
import { cleanupAll, isAlive, makeStack, NODE, waitFor } from '../helpers/stack.js';

afterEach(cleanupAll);

/** The log writer of the service whose logs go to `logDir` (its command line names the directory). */
function writerOf(logDir: string): number | null {
  for (const entry of fs.readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const argv = fs.readFileSync(`/proc/${entry}/cmdline`, 'utf8').split('\0');
      if (argv.some((a) => a.endsWith('log-writer.js')) && argv.includes(logDir) && isAlive(Number(entry))) return Number(entry);
    } catch {
      // gone
    }
  }
  return null;
}

describe('a killed log writer', () => {
  it('is said (lastError) and replaced on the same pipe: the service runs on and its later lines reach the log', async () => {
    const stack = await makeStack(() => `
services:
  talker:
    kind: process
    command: [${JSON.stringify(NODE)}, -e, "let i = 0; setInterval(() => console.log('line', ++i), 20)"]
    readyAfter: 100ms
`, 0);
    expect((await stack.cli(['start'])).exitCode).toBe(0);
    const [before] = await stack.status();
    const writer = await waitFor(() => writerOf(before!.logDir), 'the log writer');
    process.kill(writer, 'SIGKILL');
    const [after] = await waitFor(async () => {
      const s = await stack.status();
      return s[0]!.lastError?.includes('log writer') ? s : null;
    }, 'lastError to name the log writer');
    expect(after!.lastError).toMatch(new RegExp(`^its log writer \\(pid ${writer}\\) killed by SIGKILL while it ran: started a new one \\(pid \\d+\\); no output was lost$`));
    expect(after).toMatchObject({ state: 'ready', pid: before!.pid });
    const replacement = writerOf(before!.logDir);
    expect(replacement).not.toBeNull();
    expect(replacement).not.toBe(writer);
    // Lines written after the kill reach the log: the counter keeps climbing past what was there at the kill.
    const lastNumber = async () => Math.max(...(await stack.cli(['logs', 'talker', '-n', '5'])).stdout.split('\n').map((l) => Number(/line (\d+)/.exec(l)?.[1] ?? 0)));
    const at = await lastNumber();
    await waitFor(async () => (await lastNumber()) > at + 10, 'new lines in the log');
    expect(isAlive(before!.pid)).toBe(true);
  });
});
