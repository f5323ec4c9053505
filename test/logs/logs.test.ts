import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { createLogFile, filesToPrune, listLogFiles, logFileName } from '../../src/logs/log-file.js';
import { meaningfulLine, readLastLines, stripAnsi } from '../../src/logs/tail.js';

describe('log files', () => {
  it('are named <service>_YYYYMMDD_HHMMSS.log, with a suffix for a second start in the same second', () => {
    expect(logFileName('llama', new Date(2026, 0, 2, 3, 4, 5))).toBe('llama_20260102_030405.log');
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'lt-logs-'));
    const at = new Date(2026, 0, 2, 3, 4, 5);
    const a = createLogFile(dir, 'svc', at);
    const b = createLogFile(dir, 'svc', at);
    expect(path.basename(a)).toBe('svc_20260102_030405.log');
    expect(path.basename(b)).toBe('svc_20260102_030405-2.log');
    createLogFile(dir, 'svc-other', at);
    expect(listLogFiles(dir, 'svc').map((f) => path.basename(f))).toEqual(['svc_20260102_030405.log', 'svc_20260102_030405-2.log']);
    fs.rmSync(dir, { recursive: true });
  });

  it('prunes the oldest past maxFiles or maxBytes, never the current file', () => {
    const files = [
      { file: 'a', size: 10 },
      { file: 'b', size: 10 },
      { file: 'c', size: 10 },
      { file: 'd', size: 100 },
    ];
    expect(filesToPrune(files, 2, 1000, 'd')).toEqual(['a', 'b']);
    expect(filesToPrune(files, 10, 115, 'd')).toEqual(['a', 'b']);
    expect(filesToPrune(files, 10, 50, 'd')).toEqual(['a', 'b', 'c']);
    expect(filesToPrune(files, 10, 1000, 'd')).toEqual([]);
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
