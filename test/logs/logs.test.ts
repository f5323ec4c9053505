import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { chunkFile, listChunks, logDirBytes, parseIndex, readLastLogLines, readLogLinesSince, timeAt } from '../../src/logs/chunks.js';
import { LogWriter } from '../../src/logs/log-writer.js';
import { openNewLogFile, unsafeDirReason } from '../../src/logs/safe-open.js';
import { meaningfulLine, readLastLines, stripAnsi } from '../../src/logs/tail.js';

function writerIn(dir: string, maxBytes: number, maxFiles: number, now: () => number) {
  return new LogWriter({ dir, maxBytes, maxFiles, firstSeq: 1, firstFd: openNewLogFile(chunkFile(dir, 1)), now });
}

const numbered = (from: number, to: number) => Array.from({ length: to - from }, (_, i) => `line ${String(from + i).padStart(7, '0')}`).join('\n') + '\n';

describe('log writer and chunk files', () => {
  it('rotates at line ends, keeps the logs within maxBytes and maxFiles, and loses no line among those kept', () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'lt-chunks-'));
    let clock = Date.UTC(2026, 0, 1);
    const writer = writerIn(dir, 64 * 1024, 4, () => clock);
    let peak = 0;
    for (let i = 0; i < 20_000; i += 500) {
      // Reads of odd sizes, cut mid-line, as a pipe hands them over.
      const text = Buffer.from(numbered(i, i + 500));
      for (let at = 0; at < text.length; at += 3001) writer.write(text.subarray(at, at + 3001));
      clock += 700;
      peak = Math.max(peak, logDirBytes(dir));
    }
    writer.close();
    expect(peak).toBeLessThanOrEqual(64 * 1024);
    const chunks = listChunks(dir);
    expect(chunks.length).toBeLessThanOrEqual(4);
    expect(chunks.length).toBeGreaterThan(1);
    const lines = chunks.flatMap((c) => fs.readFileSync(c.file, 'utf8').split('\n').filter(Boolean));
    for (const c of chunks) expect(fs.readFileSync(c.file, 'utf8').endsWith('\n')).toBe(true); // never cut mid-line
    const first = Number(lines[0]!.slice(5));
    expect(lines).toEqual(numbered(first, 20_000).trim().split('\n')); // consecutive, ending with the last line
  });

  it('notes when output arrived: --timestamps and --since read it back, across chunks', () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'lt-times-'));
    const t0 = Date.UTC(2026, 0, 1, 12, 0, 0);
    let clock = t0;
    const writer = writerIn(dir, 8 * 1024, 4, () => clock);
    for (let i = 0; i < 300; i++) {
      writer.write(Buffer.from(`event ${i}\n`));
      clock += 1000; // one line a second
    }
    writer.close();
    const last = readLastLogLines(dir, 3, true);
    expect(last.map((l) => l.text)).toEqual(['event 297', 'event 298', 'event 299']);
    expect(last.map((l) => l.at)).toEqual([t0 + 297_000, t0 + 298_000, t0 + 299_000]);
    const since = readLogLinesSince(dir, t0 + 290_000);
    expect(since.map((l) => l.text)).toEqual(Array.from({ length: 10 }, (_, i) => `event ${290 + i}`));
    expect(timeAt(parseIndex('0 100\n50 200\n'), 49)).toBe(100);
    expect(timeAt(parseIndex('0 100\n50 200\n'), 50)).toBe(200);
    expect(timeAt([], 10)).toBeNull();
  });

  it('never follows a planted symlink or reuses a planted file', () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'lt-plant-'));
    const target = path.join(dir, 'victim');
    fs.writeFileSync(target, 'keep');
    fs.symlinkSync(target, chunkFile(dir, 1));
    expect(() => openNewLogFile(chunkFile(dir, 1))).toThrow(/EEXIST/);
    fs.writeFileSync(chunkFile(dir, 2), 'planted');
    expect(() => openNewLogFile(chunkFile(dir, 2))).toThrow(/EEXIST/);
    expect(fs.readFileSync(target, 'utf8')).toBe('keep');
  });

  it('refuses a directory others can write into (without the sticky bit) or that another user owns', () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'lt-mode-'));
    expect(unsafeDirReason(dir)).toBeNull();
    fs.chmodSync(dir, 0o777);
    expect(unsafeDirReason(dir)).toMatch(/writable by every user \(mode 777\)/);
    fs.chmodSync(dir, 0o1777);
    expect(unsafeDirReason(dir)).toBeNull();
    fs.chmodSync(dir, 0o770);
    expect(unsafeDirReason(dir)).toMatch(/writable by its group/);
    fs.chmodSync(dir, 0o700);
    if (process.getuid!() === 0) {
      fs.chownSync(dir, 4242, 4242);
      expect(unsafeDirReason(dir)).toMatch(/owned by uid 4242, not by you \(uid 0\)/);
    } else expect(unsafeDirReason(dir, 4242)).toMatch(/owned by uid \d+, not by you \(uid 4242\)/);
  });
});

describe('readLastLines', () => {
  it('reads the tail without reading the whole file', () => {
    const file = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'lt-tail-')), 'x.log');
    fs.writeFileSync(file, Array.from({ length: 100_000 }, (_, i) => `line ${i}`).join('\n') + '\n');
    expect(readLastLines(file, 3)).toEqual(['line 99997', 'line 99998', 'line 99999']);
    expect(readLastLines(file, 0)).toEqual([]);
    expect(readLastLines('/nonexistent', 3)).toEqual([]);
    fs.writeFileSync(file, 'only\npartial');
    expect(readLastLines(file, 5)).toEqual(['only', 'partial']);
  });
});

describe('meaningfulLine', () => {
  it("prefers the line naming the cause over the aftermath", () => {
    const lines = [
      'main: loading model',
      "common_init_from_params: failed to load model '/m/x.gguf'",
      'main: exiting due to model loading error',
    ];
    expect(meaningfulLine(lines)).toBe("common_init_from_params: failed to load model '/m/x.gguf'");
  });
  it('finds a Python exception and strips colours', () => {
    expect(meaningfulLine(['Traceback (most recent call last):', '  File "app.py", line 3', '\x1b[31mValueError: bad port\x1b[0m'])).toBe('ValueError: bad port');
    expect(meaningfulLine(['all good', ''])).toBe('all good');
    expect(meaningfulLine([])).toBeNull();
    expect(stripAnsi('\x1b[1;32mok\x1b[0m')).toBe('ok');
  });
});
