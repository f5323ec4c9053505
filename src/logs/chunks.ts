import fs from 'node:fs';
import path from 'node:path';
import { openNewLogFile } from './safe-open.js';

/**
 * A service's logs are numbered chunk files in a directory of their own, written by its log writer:
 * `00000001.log`, `00000002.log`, … (the highest is the one being written) and beside each an index
 * `00000001.idx` of "byte offset, epoch ms" lines, one per second in which output arrived.
 * Nothing is ever renamed: a reader that holds a chunk open keeps reading the right bytes.
 */
export interface Chunk {
  seq: number;
  file: string;
  index: string;
}

const CHUNK = /^(\d{8,})\.log$/;

export const chunkFile = (dir: string, seq: number) => path.join(dir, `${String(seq).padStart(8, '0')}.log`);
export const indexFile = (dir: string, seq: number) => path.join(dir, `${String(seq).padStart(8, '0')}.idx`);

/** The directory of one service's logs under the stack's logs directory. */
export const serviceLogDir = (logsDir: string, service: string) => path.join(logsDir, service);

/** The chunks in `dir`, oldest first. */
export function listChunks(dir: string): Chunk[] {
  let names: string[];
  try {
    names = fs.readdirSync(dir);
  } catch {
    return [];
  }
  const seqs: number[] = [];
  for (const name of names) {
    const m = CHUNK.exec(name);
    if (m) seqs.push(Number(m[1]));
  }
  return seqs.sort((a, b) => a - b).map((seq) => ({ seq, file: chunkFile(dir, seq), index: indexFile(dir, seq) }));
}

export const latestChunk = (dir: string): Chunk | null => listChunks(dir).at(-1) ?? null;

/** Size of a file, 0 when it is not there (not written yet, or pruned meanwhile). */
export function sizeOrZero(file: string): number {
  try {
    return fs.statSync(file).size;
  } catch {
    return 0;
  }
}

/** Bytes of one chunk and its index. */
export const chunkBytesOnDisk = (chunk: Chunk) => sizeOrZero(chunk.file) + sizeOrZero(chunk.index);

/** Total bytes of the chunks and indexes in `dir`. */
export const logDirBytes = (dir: string) => listChunks(dir).reduce((sum, c) => sum + chunkBytesOnDisk(c), 0);

/** (offset, ms) pairs of a chunk's index, in offset order. Pure parse of the index text. */
export function parseIndex(text: string): Array<[number, number]> {
  const out: Array<[number, number]> = [];
  for (const line of text.split('\n')) {
    const sp = line.indexOf(' ');
    if (sp <= 0) continue;
    const offset = Number(line.slice(0, sp));
    const ms = Number(line.slice(sp + 1));
    if (Number.isFinite(offset) && Number.isFinite(ms)) out.push([offset, ms]);
  }
  return out;
}

export function readIndex(chunk: Chunk): Array<[number, number]> {
  try {
    return parseIndex(fs.readFileSync(chunk.index, 'utf8'));
  } catch {
    return [];
  }
}

/** When the byte at `offset` was written: the last index entry at or before it (null before the first). Pure. */
export function timeAt(index: Array<[number, number]>, offset: number): number | null {
  let lo = 0;
  let hi = index.length - 1;
  let found: number | null = null;
  while (lo <= hi) {
    const mid = (lo + hi) >> 1;
    if (index[mid]![0] <= offset) {
      found = index[mid]![1];
      lo = mid + 1;
    } else hi = mid - 1;
  }
  return found;
}

export type { LogLine } from '../protocol/results.js';
import type { LogLine } from '../protocol/results.js';

/** Whole lines of `buf` with the byte offset each starts at (a trailing piece without newline included). Pure. */
export function splitLines(buf: Buffer, base = 0): Array<{ text: string; offset: number }> {
  const out: Array<{ text: string; offset: number }> = [];
  let start = 0;
  for (let nl = buf.indexOf(10); nl >= 0; nl = buf.indexOf(10, start)) {
    out.push({ text: buf.toString('utf8', start, nl), offset: base + start });
    start = nl + 1;
  }
  if (start < buf.length) out.push({ text: buf.toString('utf8', start), offset: base + start });
  return out;
}

/** The last `n` lines of one chunk, reading backwards only as far as needed. */
function tailOfChunk(chunk: Chunk, n: number, withTimes: boolean): LogLine[] {
  let fd: number;
  try {
    fd = fs.openSync(chunk.file, 'r');
  } catch {
    return [];
  }
  try {
    const size = fs.fstatSync(fd).size;
    let len = Math.min(size, 16 * 1024);
    for (;;) {
      const buf = Buffer.alloc(len);
      fs.readSync(fd, buf, 0, len, size - len);
      const lines = splitLines(buf, size - len);
      if (len < size) lines.shift(); // cut at the front
      if (lines.length >= n || len >= size) {
        const index = withTimes ? readIndex(chunk) : [];
        return lines.slice(-n).map((l) => ({ text: l.text, at: withTimes ? timeAt(index, l.offset) : null }));
      }
      len = Math.min(size, len * 4);
    }
  } finally {
    fs.closeSync(fd);
  }
}

/** The last `n` lines of a service's logs, across chunk files (newest chunk last). */
export function readLastLogLines(dir: string, n: number, withTimes = false): LogLine[] {
  if (n <= 0) return [];
  const out: LogLine[] = [];
  const chunks = listChunks(dir);
  for (let i = chunks.length - 1; i >= 0 && out.length < n; i--) out.unshift(...tailOfChunk(chunks[i]!, n - out.length, withTimes));
  return out;
}

/** Every line written at or after `sinceMs`, oldest first (whole chunks older than that are not read). */
export function readLogLinesSince(dir: string, sinceMs: number): LogLine[] {
  const chunks = listChunks(dir);
  const out: LogLine[] = [];
  for (const chunk of chunks) {
    const index = readIndex(chunk);
    const last = index.at(-1)?.[1];
    if (last !== undefined && last < sinceMs && chunk !== chunks.at(-1)) continue;
    let buf: Buffer;
    try {
      buf = fs.readFileSync(chunk.file);
    } catch {
      continue;
    }
    for (const l of splitLines(buf)) {
      const at = timeAt(index, l.offset);
      if (at !== null && at >= sinceMs) out.push({ text: l.text, at });
    }
  }
  return out;
}

/**
 * Creates the next chunk file of `dir`, numbered after `after` and after every chunk already there, and returns
 * its descriptor and number. Two writers may share a directory for a moment (the old one draining a restarted
 * service's pipe while the new one starts): a number the other took first (EEXIST) is skipped, never reused.
 */
export function openNextChunk(dir: string, after: number): { fd: number; seq: number } {
  let seq = Math.max(after, latestChunk(dir)?.seq ?? 0) + 1;
  for (let attempt = 0; ; attempt++) {
    try {
      return { fd: openNewLogFile(chunkFile(dir, seq)), seq };
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST' || attempt >= 100) throw error;
      seq++;
    }
  }
}
