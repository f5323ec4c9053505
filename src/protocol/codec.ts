import { MAX_MESSAGE_BYTES } from './messages.js';

export type Decoded = { ok: true; value: unknown } | { ok: false; error: string };

/** Splits a byte stream into newline-delimited JSON messages; an oversized line is reported, not buffered. */
export class NdjsonDecoder {
  private buffer = '';
  private discarding = false;

  constructor(private readonly maxBytes = MAX_MESSAGE_BYTES) {}

  /** True while part of a message has arrived and its newline has not. */
  hasPartial(): boolean {
    return this.buffer.length > 0 || this.discarding;
  }

  push(chunk: string): Decoded[] {
    const out: Decoded[] = [];
    let text = this.buffer + chunk;
    this.buffer = '';
    for (let nl = text.indexOf('\n'); nl >= 0; nl = text.indexOf('\n')) {
      const line = text.slice(0, nl);
      text = text.slice(nl + 1);
      if (this.discarding) {
        this.discarding = false;
        continue;
      }
      if (line.trim() === '') continue;
      out.push(line.length > this.maxBytes ? { ok: false, error: `message larger than ${this.maxBytes} bytes` } : decodeLine(line));
    }
    if (text.length > this.maxBytes) {
      if (!this.discarding) out.push({ ok: false, error: `message larger than ${this.maxBytes} bytes` });
      this.discarding = true;
      text = '';
    }
    this.buffer = text;
    return out;
  }
}

function decodeLine(line: string): Decoded {
  try {
    return { ok: true, value: JSON.parse(line) };
  } catch (error) {
    return { ok: false, error: `not JSON: ${(error as Error).message}` };
  }
}

export const encode = (message: unknown): string => `${JSON.stringify(message)}\n`;
