import { execFileSync, spawn } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { openNextChunk } from '../logs/chunks.js';
import { ownDirProblem } from '../logs/safe-open.js';
import { identify, type ProcessIdentity } from './identity.js';

export interface SpawnRequest {
  argv: string[];
  cwd: string;
  env: Record<string, string>;
  /** stdout and stderr go through a pipe to a log writer of their own, which writes chunk files here. */
  logDir: string;
  maxBytes: number;
  maxFiles: number;
}

export interface SpawnedProcess extends ProcessIdentity {
  /** Resolves with the exit once the leader exits (only for children of this process). */
  exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
  /** The service's log writer; replaced by `restart()` if it dies while the service runs. */
  writer: WriterHandle;
}

export interface WriterExit {
  code: number | null;
  signal: NodeJS.Signals | null;
}

/**
 * A log writer and the read end of its pipe, which the daemon keeps too: while the daemon holds it, a writer that
 * dies (killed, OOM) does not break the service's pipe (no EPIPE / SIGPIPE for the service) and a new writer can
 * take over the same pipe. `close()` lets go of the read end once the service is gone.
 */
export class WriterHandle {
  pid: number;
  /** Resolves when the current writer exits: after the last holder of the pipe's write end, or when it dies. */
  exited: Promise<WriterExit>;
  private readFd: number | null;

  constructor(private readonly request: Pick<SpawnRequest, 'logDir' | 'maxBytes' | 'maxFiles'>, readFd: number, chunk: { fd: number; seq: number }) {
    this.readFd = readFd;
    const started = startWriter(request, readFd, chunk);
    this.pid = started.pid;
    this.exited = started.exited;
  }

  /** Starts a new writer on the same pipe (it continues in a new chunk); false once the read end was let go. */
  restart(): boolean {
    if (this.readFd === null) return false;
    const chunk = openNextChunk(this.request.logDir, 0);
    try {
      const started = startWriter(this.request, this.readFd, chunk);
      this.pid = started.pid;
      this.exited = started.exited;
    } finally {
      fs.closeSync(chunk.fd);
    }
    return true;
  }

  /** Lets go of our read end (the service is gone, or we stop caring): the writer then owns the pipe alone. */
  close(): void {
    if (this.readFd === null) return;
    fs.closeSync(this.readFd);
    this.readFd = null;
  }
}

function startWriter(request: Pick<SpawnRequest, 'logDir' | 'maxBytes' | 'maxFiles'>, read: number, chunk: { fd: number; seq: number }): { pid: number; exited: Promise<WriterExit> } {
  const writer = spawn(process.execPath, [...WRITER_NODE_FLAGS, WRITER, request.logDir, String(request.maxBytes), String(request.maxFiles), String(chunk.seq)], {
    detached: true,
    stdio: [read, 'ignore', 'ignore', chunk.fd],
  });
  const exited = new Promise<WriterExit>((res) => {
    writer.once('exit', (code, signal) => res({ code, signal }));
    writer.once('error', () => res({ code: null, signal: null }));
  });
  writer.unref();
  return { pid: writer.pid ?? -1, exited };
}

/** Resolves `binary` like execvp would: as a path when it has a slash, else on PATH. */
export function resolveBinary(binary: string, cwd: string, envPath = process.env.PATH ?? ''): string | null {
  const isExecutable = (file: string) => {
    try {
      fs.accessSync(file, fs.constants.X_OK);
      return fs.statSync(file).isFile();
    } catch {
      return false;
    }
  };
  if (binary.includes('/')) {
    const file = path.resolve(cwd, binary);
    return isExecutable(file) ? file : null;
  }
  for (const dir of envPath.split(path.delimiter)) {
    if (dir && isExecutable(path.join(dir, binary))) return path.join(dir, binary);
  }
  return null;
}

const WRITER = fileURLToPath(new URL('../logs/log-writer.js', import.meta.url));
/** The writer is tiny and must stay so: lite mode and a small heap keep it at a fraction of a daemon. */
const WRITER_NODE_FLAGS = ['--lite-mode', '--no-expose-wasm', '--max-old-space-size=16', '--max-semi-space-size=1'];
let fifoCounter = 0;

/**
 * A real pipe (not a socket pair: programs that open /dev/stdout need a pipe) whose read end is blocking, made
 * from a FIFO that is unlinked at once. Returns [read fd, write fd].
 */
function makePipe(dir: string): [number, number] {
  const fifo = path.join(dir, `.pipe-${process.pid}-${++fifoCounter}`);
  execFileSync('mkfifo', ['-m', '600', fifo]);
  try {
    const probe = fs.openSync(fifo, fs.constants.O_RDONLY | fs.constants.O_NONBLOCK);
    const write = fs.openSync(fifo, fs.constants.O_WRONLY);
    const read = fs.openSync(fifo, fs.constants.O_RDONLY); // a writer exists: does not block, and stays blocking
    fs.closeSync(probe);
    return [read, write];
  } finally {
    fs.rmSync(fifo, { force: true });
  }
}

/**
 * Starts a service in its own session and process group, so no hangup or Ctrl-C of ours reaches it, with its
 * output going through a pipe to its own log writer (see logs/log-writer.ts), which outlives us if need be.
 */
export function spawnDetached(request: SpawnRequest): Promise<SpawnedProcess> {
  fs.mkdirSync(request.logDir, { recursive: true, mode: 0o700 });
  const problem = ownDirProblem(path.dirname(request.logDir)) ?? ownDirProblem(request.logDir);
  if (problem) return Promise.reject(new Error(`${problem}: another user could redirect its output; remove it or choose another logs.dir`));
  const { fd: chunkFd, seq: firstSeq } = openNextChunk(request.logDir, 0);
  let fds: number[] = [chunkFd];
  let writer: WriterHandle | null = null;
  try {
    const [read, write] = makePipe(request.logDir);
    fds = [chunkFd, write];
    writer = new WriterHandle(request, read, { fd: chunkFd, seq: firstSeq });
    const child = spawn(request.argv[0]!, request.argv.slice(1), {
      cwd: request.cwd,
      env: { ...process.env, ...request.env },
      detached: true,
      stdio: ['ignore', write, write],
    });
    const handle = writer;
    return new Promise((resolve, reject) => {
      child.once('error', (error) => {
        handle.close();
        reject(error);
      });
      child.once('spawn', () => {
        child.unref();
        const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((res) =>
          child.once('exit', (code, signal) => res({ code, signal })),
        );
        const identity = identify(child.pid!);
        resolve({ pid: child.pid!, startTicks: identity?.startTicks ?? -1, exited, writer: handle });
      });
    });
  } catch (error) {
    writer?.close();
    throw error;
  } finally {
    for (const fd of fds) fs.closeSync(fd);
  }
}
