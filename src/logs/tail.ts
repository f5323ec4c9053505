import fs from 'node:fs';

/** The last `n` complete-or-not lines of `file`, reading backwards only as far as needed. */
export function readLastLines(file: string, n: number, maxBytes = 4 * 1024 * 1024): string[] {
  if (n <= 0) return [];
  let fd: number;
  try {
    fd = fs.openSync(file, 'r');
  } catch {
    return [];
  }
  try {
    const size = fs.fstatSync(fd).size;
    let chunk = 16 * 1024; // doubles while more is needed: a screenful of short lines takes one small read
    let pos = size;
    let text = '';
    while (pos > 0 && size - pos < maxBytes) {
      const len = Math.min(chunk, pos);
      pos -= len;
      const buf = Buffer.alloc(len);
      fs.readSync(fd, buf, 0, len, pos);
      text = buf.toString('utf8') + text;
      if (countNewlines(text) > n) break;
      chunk = Math.min(chunk * 2, 1024 * 1024);
    }
    const lines = text.split('\n');
    if (lines.at(-1) === '') lines.pop();
    if (pos > 0) lines.shift(); // the first one is cut
    return lines.slice(-n);
  } finally {
    fs.closeSync(fd);
  }
}

function countNewlines(text: string): number {
  let count = 0;
  for (let i = text.indexOf('\n'); i >= 0; i = text.indexOf('\n', i + 1)) count++;
  return count;
}

const CAUSE = /(failed to|\w*error:|\bfatal\b|\bpanic\b|exception|traceback|no such|not found|denied|cannot|can't|couldn't|could not|unable|address already in use)/i;
const ERRORISH = /\b(error|failed|failure|abort(ed)?)\b/i;
const AFTERMATH = /\b(exiting|shutting down|terminating|goodbye|cleaning up before exit)\b|^terminate called/i; // llama.cpp's abort() after the cause

/**
 * The line that says why a process died: the last line naming a cause ("failed to load model '…'"),
 * else the last error-looking line, else the last non-empty one. Pure.
 */
export function meaningfulLine(lines: string[]): string | null {
  const cleaned = lines.map((l) => stripAnsi(l).trim()).filter(Boolean);
  const rank = (line: string) => (CAUSE.test(line) && !AFTERMATH.test(line) ? 2 : ERRORISH.test(line) ? 1 : 0);
  let best: string | null = null;
  let bestRank = -1;
  for (const line of cleaned) {
    const r = rank(line);
    if (r >= bestRank) {
      best = line;
      bestRank = r;
    }
  }
  return best === null ? null : truncate(best, 300);
}

export function stripAnsi(text: string): string {
  // eslint-disable-next-line no-control-regex
  return text.replace(/\x1b\[[0-9;?]*[ -/]*[@-~]|\x1b\][^\x07\x1b]*(\x07|\x1b\\)|\x1b[@-Z\\-_]/g, '');
}

const truncate = (s: string, max: number) => (s.length > max ? `${s.slice(0, max - 1)}…` : s);
