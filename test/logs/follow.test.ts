import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { chunkFile } from '../../src/logs/chunks.js';
import { followLogDir } from '../../src/logs/follow.js';
import { waitFor } from '../helpers/wait.js';

const numbered = (from: number, to: number) => Array.from({ length: to - from }, (_, i) => `line ${String(from + i).padStart(7, '0')}`).join('\n') + '\n';

describe('following a log directory', () => {
  it('reads a large backlog in bounded slices, yielding to the event loop between them, and loses no line', async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'lt-follow-'));
    fs.writeFileSync(chunkFile(dir, 1), '');
    const got: string[] = [];
    // Which turn of the event loop each delivery came in: a counter bumped by a self-renewing setImmediate.
    let turn = 0;
    let spinning = true;
    const spin = () => {
      turn++;
      if (spinning) setImmediate(spin);
    };
    spin();
    const turnsWithLines = new Set<number>();
    const handle = followLogDir(dir, (lines) => {
      turnsWithLines.add(turn);
      for (const l of lines) got.push(l.text);
    }, { maxBytesPerTick: 64 * 1024 });
    // 200k lines (2.6 MB) appended at once, then a second chunk (a rotation) behind it.
    fs.appendFileSync(chunkFile(dir, 1), numbered(0, 200_000));
    fs.writeFileSync(chunkFile(dir, 2), numbered(200_000, 210_000));
    try {
      await waitFor(() => got.length === 210_000, 'every line of the backlog', 60_000);
    } finally {
      spinning = false;
      handle.stop();
    }
    expect(got).toEqual(numbered(0, 210_000).trim().split('\n'));
    // 2.8 MB in 64 KiB slices, each in its own turn of the loop (before: the whole backlog in one turn).
    expect(turnsWithLines.size).toBeGreaterThan(30);
  });
});
