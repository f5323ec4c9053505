import fs from 'node:fs';
import { StringDecoder } from 'node:string_decoder';

export interface FollowHandle {
  stop(): void;
}

/**
 * Calls `onLines` with whole lines appended to the file `currentFile()` names, from `offset`; switches to a
 * newer file (a service restart) when `currentFile()` changes. Polls: works on every filesystem.
 */
export function followFile(
  currentFile: () => string | null,
  start: { file: string | null; offset: number },
  onLines: (lines: string[], file: string) => void,
  intervalMs = 200,
): FollowHandle {
  let file = start.file;
  let offset = start.offset;
  let partial = '';
  let decoder = new StringDecoder('utf8');
  const tick = () => {
    const latest = currentFile();
    if (latest && latest !== file) {
      if (file) drain();
      file = latest;
      offset = 0;
      partial = '';
      decoder = new StringDecoder('utf8');
    }
    if (file) drain();
  };
  const drain = () => {
    let fd: number;
    try {
      fd = fs.openSync(file!, 'r');
    } catch {
      return;
    }
    try {
      const size = fs.fstatSync(fd).size;
      if (size < offset) offset = 0; // truncated
      while (offset < size) {
        const len = Math.min(1024 * 1024, size - offset);
        const buf = Buffer.alloc(len);
        const read = fs.readSync(fd, buf, 0, len, offset);
        if (read <= 0) break;
        offset += read;
        const text = partial + decoder.write(buf.subarray(0, read));
        const lines = text.split('\n');
        partial = lines.pop()!;
        if (lines.length) onLines(lines, file!);
      }
    } finally {
      fs.closeSync(fd);
    }
  };
  const timer = setInterval(tick, intervalMs);
  tick();
  return { stop: () => clearInterval(timer) };
}
