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
    const chunk = 64 * 1024;
    let pos = size;
    let text = '';
    while (pos > 0 && size - pos < maxBytes) {
      const len = Math.min(chunk, pos);
      pos -= len;
      const buf = Buffer.alloc(len);
      fs.readSync(fd, buf, 0, len, pos);
      text = buf.toString('utf8') + text;
      if (countNewlines(text) > n) break;
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

const MEANINGFUL = /\b(error|failed|failure|fatal|panic|exception|abort|cannot|can't|unable|denied|not found|no such|traceback)\b/i;

/** The line that says why a process died: the last error-looking line, else the last non-empty one. Pure. */
export function meaningfulLine(lines: string[]): string | null {
  const cleaned = lines.map((l) => stripAnsi(l).trim()).filter(Boolean);
  for (let i = cleaned.length - 1; i >= 0; i--) if (MEANINGFUL.test(cleaned[i]!)) return truncate(cleaned[i]!, 300);
  const last = cleaned.at(-1);
  return last ? truncate(last, 300) : null;
}

export function stripAnsi(text: string): string {
  // eslint-disable-next-line no-control-regex
  return text.replace(/\x1b\[[0-9;?]*[ -/]*[@-~]|\x1b\][^\x07\x1b]*(\x07|\x1b\\)|\x1b[@-Z\\-_]/g, '');
}

const truncate = (s: string, max: number) => (s.length > max ? `${s.slice(0, max - 1)}…` : s);
