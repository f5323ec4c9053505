import fs from 'node:fs';
import { listChunks, readIndex, sizeOrZero, splitLines, timeAt, type Chunk, type LogLine } from './chunks.js';

export interface FollowHandle {
  stop(): void;
}

/**
 * Calls `onLines` with whole lines appended to a service's logs from now on, chunk after chunk in order, so a
 * rotation (or a restart, which starts a new chunk) loses nothing that is still on disk; chunks pruned before they
 * were read are reported with `onGap`. Polls: works on every filesystem, and the directory may not exist yet.
 */
export function followLogDir(
  dir: string,
  onLines: (lines: LogLine[]) => void,
  options: { intervalMs?: number; withTimes?: boolean; onGap?: (chunks: number) => void; maxBytesPerTick?: number } = {},
): FollowHandle {
  // A follower far behind (a flood's backlog) reads at most this much per turn of the event loop, then yields:
  // forty followers of a 40 MB backlog must not keep the daemon from answering for seconds.
  const maxBytesPerTick = options.maxBytesPerTick ?? 1024 * 1024;
  let budget = 0;
  let stopped = false;
  let resume: NodeJS.Immediate | null = null;
  const start = listChunks(dir).at(-1);
  let seq = start?.seq ?? 0;
  let offset = start ? sizeOrZero(start.file) : 0;
  let partial = Buffer.alloc(0);
  const tick = () => {
    if (stopped) return;
    budget = maxBytesPerTick;
    for (;;) {
      const chunks = listChunks(dir);
      const current = chunks.find((c) => c.seq === seq);
      if (current) drain(current);
      if (budget <= 0) {
        resume ??= setImmediate(() => {
          resume = null;
          tick();
        });
        return;
      }
      const next = chunks.find((c) => c.seq > seq);
      if (!next) return;
      if (seq !== 0 && next.seq > seq + 1) options.onGap?.(next.seq - seq - 1);
      if (partial.length) emit([{ text: partial.toString('utf8'), at: null }]);
      seq = next.seq;
      offset = 0;
      partial = Buffer.alloc(0);
    }
  };
  const emit = (lines: LogLine[]) => {
    if (lines.length) onLines(lines);
  };
  const drain = (chunk: Chunk) => {
    let fd: number;
    try {
      fd = fs.openSync(chunk.file, 'r');
    } catch {
      return;
    }
    try {
      const size = fs.fstatSync(fd).size;
      const index = options.withTimes && offset < size ? readIndex(chunk) : [];
      while (offset < size && budget > 0) {
        const len = Math.min(64 * 1024, size - offset);
        budget -= len;
        const buf = Buffer.alloc(len);
        const read = fs.readSync(fd, buf, 0, len, offset);
        if (read <= 0) break;
        const base = offset - partial.length;
        const text = Buffer.concat([partial, buf.subarray(0, read)]);
        offset += read;
        const end = text.lastIndexOf(10) + 1;
        partial = text.subarray(end);
        emit(splitLines(text.subarray(0, end), base).map((l) => ({ text: l.text, at: options.withTimes ? timeAt(index, l.offset) : null })));
      }
    } finally {
      fs.closeSync(fd);
    }
  };
  const timer = setInterval(tick, options.intervalMs ?? 200);
  tick();
  return {
    stop: () => {
      stopped = true;
      clearInterval(timer);
      if (resume) clearImmediate(resume);
    },
  };
}
