import fs from 'node:fs';
import { chunkBytesOnDisk, indexFile, listChunks, openNextChunk, type Chunk } from './chunks.js';
import { openNewLogFile } from './safe-open.js';

/**
 * The log writer: one small process per running service, between the service's output pipe (fd 0) and its chunk
 * files (the s6-log / svlogd design). The daemon is not on the data path: the writer lives in its own session, so a
 * stop's SIGTERM or a dead daemon never stops it, and it exits when the last process holding the pipe has gone.
 * It rotates by size without cutting lines, deletes the oldest chunks so the service's logs never take more than
 * `maxBytes` (the chunk being written included), notes when output arrived (for `logs --timestamps`), and on a
 * full disk keeps draining the pipe, so the service never blocks, and says afterwards how much was lost.
 */
export interface WriterOptions {
  dir: string;
  maxBytes: number;
  maxFiles: number;
  /** The first chunk, created by the daemon (so a bad directory is reported there) and handed over open. */
  firstSeq: number;
  firstFd: number;
  now?: () => number;
}

const READ_BYTES = 256 * 1024;

/** Bytes per chunk: the budget split over the files kept (at least two, so a rotation never empties the logs). Pure. */
export const chunkBytesFor = (maxBytes: number, maxFiles: number) => Math.max(4096, Math.floor(maxBytes / Math.max(2, maxFiles)));

export class LogWriter {
  private seq: number;
  private fd: number;
  private indexFd: number | null = null;
  private size = 0;
  private indexSize = 0;
  private lastSecond = -1;
  private dropped = 0;
  private droppedSince: number | null = null;
  private lastResumeTry = 0;
  private cutLine = false;
  private readonly chunkBytes: number;
  private readonly now: () => number;

  constructor(private readonly options: WriterOptions) {
    this.seq = options.firstSeq;
    this.fd = options.firstFd;
    this.chunkBytes = chunkBytesFor(options.maxBytes, options.maxFiles);
    this.now = options.now ?? Date.now;
    this.size = fs.fstatSync(this.fd).size;
    this.openIndex();
    this.pruneOldest(1);
  }

  /** Writes one read's worth of output: rotating at line ends, noting the time once a second. */
  write(data: Buffer): void {
    if (this.dropped > 0 && !this.tryResume()) {
      this.drop(data.length);
      return;
    }
    let rest = data;
    while (rest.length > 0) {
      const room = this.chunkBytes - this.size - this.indexSize;
      if (rest.length <= room) {
        this.append(rest);
        return;
      }
      const cut = room > 0 ? rest.lastIndexOf(10, room - 1) : -1;
      if (cut >= 0) {
        this.append(rest.subarray(0, cut + 1));
        rest = rest.subarray(cut + 1);
      } else if (this.size === 0) {
        // One line longer than a chunk: it has to be cut somewhere.
        const take = Math.max(1, room);
        this.append(rest.subarray(0, take));
        rest = rest.subarray(take);
      }
      if (this.dropped > 0) {
        this.drop(rest.length);
        return;
      }
      this.rotate();
    }
  }

  close(): void {
    fs.closeSync(this.fd);
    if (this.indexFd !== null) fs.closeSync(this.indexFd);
  }

  private append(data: Buffer): void {
    this.noteTime();
    let done = 0;
    try {
      while (done < data.length) done += fs.writeSync(this.fd, data, done, data.length - done);
      this.size += done;
    } catch (error) {
      this.size += done;
      if (!isDiskFull(error)) throw error;
      if (done > 0) this.cutLine = data[done - 1] !== 10;
      this.freeOldest();
      this.drop(data.length - done);
    }
  }

  private noteTime(): void {
    const now = this.now();
    const second = Math.floor(now / 1000);
    if (second === this.lastSecond || this.indexFd === null) return;
    const entry = Buffer.from(`${this.size} ${now}\n`);
    try {
      fs.writeSync(this.indexFd, entry);
      this.indexSize += entry.length;
      this.lastSecond = second;
    } catch {
      // a full disk: the times of these lines are unknown, the lines themselves still go out
    }
  }

  private drop(bytes: number): void {
    if (bytes <= 0) return;
    this.droppedSince ??= this.now();
    this.dropped += bytes;
  }

  /** After a full disk: once a line fits again, says what was lost (from when, how much) and carries on. */
  private tryResume(): boolean {
    if (this.now() - this.lastResumeTry < 1000) return false;
    this.lastResumeTry = this.now();
    const since = new Date(this.droppedSince ?? this.now()).toISOString();
    // A line the disk cut short is ended first, so the note stands on a line of its own.
    const note = Buffer.from(`${this.cutLine ? '\n' : ''}[llama-top] ${this.dropped} bytes of output were lost: the disk was full (ENOSPC) from ${since} to ${new Date(this.now()).toISOString()}\n`);
    let done = 0;
    try {
      while (done < note.length) done += fs.writeSync(this.fd, note, done, note.length - done);
    } catch {
      // still full: a partial note is completed at the next try
    }
    this.size += done;
    if (done < note.length) {
      if (done > 0) this.cutLine = note[done - 1] !== 10;
      return false;
    }
    this.cutLine = false;
    this.dropped = 0;
    this.droppedSince = null;
    return true;
  }

  private rotate(): void {
    this.pruneOldest(2);
    let next: { fd: number; seq: number };
    try {
      next = openNextChunk(this.options.dir, this.seq);
    } catch (error) {
      if (!isDiskFull(error)) throw error;
      this.drop(1); // keep writing into the current chunk's place: nothing is written until space returns
      return;
    }
    this.close();
    this.fd = next.fd;
    this.seq = next.seq;
    this.size = 0;
    this.lastSecond = -1;
    this.openIndex();
  }

  private openIndex(): void {
    this.indexSize = 0;
    try {
      this.indexFd = openNewLogFile(indexFile(this.options.dir, this.seq));
      this.indexSize = fs.fstatSync(this.indexFd).size;
    } catch {
      this.indexFd = null;
    }
  }

  /**
   * Deletes the oldest chunks so that they, with `reserve` chunks of ours (the one being written, and the next one
   * at a rotation), stay within maxBytes and maxFiles.
   */
  private pruneOldest(reserve: number): void {
    const older = listChunks(this.options.dir)
      .filter((c) => c.seq < this.seq)
      .map((chunk) => ({ chunk, bytes: chunkBytesOnDisk(chunk) }));
    let total = older.reduce((sum, c) => sum + c.bytes, 0);
    let count = older.length;
    for (const { chunk, bytes } of older) {
      if (count + reserve <= this.options.maxFiles && total + this.chunkBytes * reserve <= this.options.maxBytes) break;
      total -= bytes;
      count--;
      removeChunk(chunk);
    }
  }

  /** A full disk: frees the oldest chunk of this service (not the one being written), if there is one. */
  private freeOldest(): void {
    const oldest = listChunks(this.options.dir).find((c) => c.seq < this.seq);
    if (oldest) removeChunk(oldest);
  }
}

const removeChunk = (chunk: Chunk) => {
  fs.rmSync(chunk.file, { force: true });
  fs.rmSync(chunk.index, { force: true });
};

const isDiskFull = (error: unknown) => ['ENOSPC', 'EDQUOT'].includes((error as NodeJS.ErrnoException).code ?? '');

/** The writer process: `log-writer.js DIR MAX_BYTES MAX_FILES FIRST_SEQ` with the pipe on fd 0, the chunk on fd 3. */
export function runWriter(argv: string[]): void {
  const [dir, maxBytes, maxFiles, firstSeq] = argv;
  for (const signal of ['SIGTERM', 'SIGINT', 'SIGHUP', 'SIGPIPE'] as const) process.on(signal, () => undefined);
  const writer = new LogWriter({ dir: dir!, maxBytes: Number(maxBytes), maxFiles: Number(maxFiles), firstSeq: Number(firstSeq), firstFd: 3 });
  const buf = Buffer.allocUnsafe(READ_BYTES);
  for (;;) {
    let n: number;
    try {
      n = fs.readSync(0, buf, 0, READ_BYTES, null);
    } catch (error) {
      const code = (error as NodeJS.ErrnoException).code;
      if (code === 'EAGAIN' || code === 'EINTR') continue;
      throw error;
    }
    if (n === 0) break;
    writer.write(buf.subarray(0, n));
  }
  writer.close();
}

const isEntry = process.argv[1] && import.meta.url.endsWith(process.argv[1].replace(/\\/g, '/'));
if (isEntry) runWriter(process.argv.slice(2));
