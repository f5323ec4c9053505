import fs from 'node:fs';
import { openOwnFileForAppend } from '../logs/safe-open.js';

export const DAEMON_LOG_MAX_BYTES = 5 * 1024 * 1024;

/**
 * daemon.log, written and rotated by the running daemon (past maxBytes it becomes daemon.log.1, one generation
 * kept). Writing never throws: on a full disk the lines are counted, and once a line fits again the log says how
 * many were lost. This is what keeps a full disk from turning every log line into another error to log.
 */
export class DaemonLog {
  private fd: number | null = null;
  private size = 0;
  private lost = 0;

  constructor(
    private readonly file: string,
    private readonly maxBytes = DAEMON_LOG_MAX_BYTES,
  ) {}

  write(line: string): void {
    const text = `${new Date().toISOString()} ${line}\n`;
    try {
      this.open();
      if (this.size + text.length > this.maxBytes) this.rotate();
      if (this.lost > 0) {
        this.append(`${new Date().toISOString()} (${this.lost} daemon log line(s) were lost: the disk was full)\n`);
        this.lost = 0;
      }
      this.append(text);
    } catch {
      this.lost++;
    }
  }

  close(): void {
    if (this.fd !== null) fs.closeSync(this.fd);
    this.fd = null;
  }

  private open(): void {
    if (this.fd !== null) return;
    this.fd = openOwnFileForAppend(this.file);
    this.size = fs.fstatSync(this.fd).size;
  }

  private append(text: string): void {
    const buf = Buffer.from(text);
    fs.writeSync(this.fd!, buf);
    this.size += buf.length;
  }

  private rotate(): void {
    this.close();
    fs.renameSync(this.file, `${this.file}.1`);
    this.open();
  }
}

/** The foreground supervisor's log (stdout: the journal, a container's log): never throws either. */
export function stdoutLog(line: string): void {
  try {
    fs.writeSync(1, `${new Date().toISOString()} ${line}\n`);
  } catch {
    // a full or closed stdout: nothing to tell it
  }
}
