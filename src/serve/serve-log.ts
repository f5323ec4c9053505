import fs from 'node:fs';
import path from 'node:path';
import type { LogsConfig } from '../config/types.js';
import { openNextChunk } from '../logs/chunks.js';
import { LogWriter } from '../logs/log-writer.js';
import type { ServedRequest, SwapReport } from './gateway.js';

/** The serve log's directory under logs.dir: a name no service can have (service names start with a letter or digit). */
export const SERVE_LOG_NAME = '_serve';
export const serveLogDir = (logsDir: string) => path.join(logsDir, SERVE_LOG_NAME);

const ms = (n: number) => (n >= 10_000 ? `${(n / 1000).toFixed(1)}s` : `${Math.round(n)}ms`);

/** One request as a line: time, model, service, status, tokens in/out, duration, wait for a start. Pure. */
export function requestLine(r: ServedRequest): string {
  const tokens = r.outcome.tokensIn != null || r.outcome.tokensOut != null ? ` tokens ${r.outcome.tokensIn ?? '?'}/${r.outcome.tokensOut ?? '?'}` : '';
  const wait = r.waitedMs > 0 || r.coldStart ? ` waited ${ms(r.waitedMs)}${r.coldStart ? ' (cold start)' : ''}` : '';
  const note = r.outcome.note ? ` (${r.outcome.note})` : '';
  return `${new Date(r.at).toISOString()} ${r.model} -> ${r.service} ${r.outcome.status}${tokens} ${ms(r.durationMs)}${wait}${note}`;
}

/**
 * A group swap as a line, its time split into drain, stop, VRAM wait (`no GPU to wait for` without nvidia-smi) and load. Stamped when it began (it is written
 * when it ends), as a request's line is stamped when the request arrived: the swap reads before the requests that
 * waited for it, not after. Pure.
 */
export function swapLine(s: SwapReport): string {
  return `${new Date(s.at).toISOString()} swap ${s.group.replace(/^service:/, '')}: ${s.from.join(', ')} -> ${s.to}${s.ok ? '' : ' (failed)'}: drain ${ms(s.drainMs)}, stop ${ms(s.stopMs - (s.vramMs ?? 0))}, ${s.vramMs === null ? 'no GPU to wait for' : `VRAM wait ${ms(s.vramMs)}`}, load ${ms(s.loadMs)}`;
}

/**
 * The serve log: a line per request through the endpoint (and per swap or idle stop), in chunk files like a
 * service's (same rotation and size budget), so `logs serve` and the TUI read it as they read a service's.
 */
export class ServeLog {
  private writer: LogWriter | null = null;
  private broken = false;
  /** Lines of this turn of the event loop, written together once it ends (one write for a burst of requests). */
  private pending: string[] = [];

  constructor(
    private readonly logs: LogsConfig,
    private readonly onError: (message: string) => void,
  ) {}

  get dir(): string {
    return serveLogDir(this.logs.dir);
  }

  write(line: string): void {
    if (this.broken) return;
    if (this.pending.push(line) === 1) setImmediate(() => this.flush());
  }

  private flush(): void {
    const lines = this.pending;
    this.pending = [];
    if (this.broken || lines.length === 0) return;
    try {
      if (!this.writer) {
        fs.mkdirSync(this.dir, { recursive: true, mode: 0o700 });
        const first = openNextChunk(this.dir, 0);
        this.writer = new LogWriter({ dir: this.dir, maxBytes: this.logs.maxBytes, maxFiles: this.logs.maxFiles, firstSeq: first.seq, firstFd: first.fd });
      }
      this.writer.write(Buffer.from(`${lines.join('\n')}\n`));
    } catch (error) {
      this.broken = true;
      this.onError(`serve log ${this.dir}: ${(error as Error).message}: requests are no longer logged there`);
    }
  }

  close(): void {
    this.flush();
    this.writer?.close();
    this.writer = null;
  }
}
