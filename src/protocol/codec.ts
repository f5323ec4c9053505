import { MAX_MESSAGE_BYTES } from './messages.js';

export type Decoded = { ok: true; value: unknown } | { ok: false; error: string; oversized?: true };

/**
 * Splits a byte stream into newline-delimited JSON messages; an oversized line is reported once and discarded up to
 * its newline, never buffered. Linear: each chunk is scanned once and the pieces of a long line are joined once, at
 * its end (re-concatenating the buffer per chunk made a 20 MB line cost 14 s of CPU).
 */
export class NdjsonDecoder {
  private parts: string[] = [];
  private size = 0;
  private discarding = false;

  /** The longest message taken; may be raised once the other end has proved who it is (the client after hello). */
  constructor(public maxBytes = MAX_MESSAGE_BYTES) {}

  /** True while part of a message has arrived and its newline has not. */
  hasPartial(): boolean {
    return this.size > 0 || this.discarding;
  }

  /** How much of an unfinished message is held (at most maxBytes). */
  held(): number {
    return this.size;
  }

  push(chunk: string): Decoded[] {
    const out: Decoded[] = [];
    let start = 0;
    for (let nl = chunk.indexOf('\n'); nl >= 0; nl = chunk.indexOf('\n', start)) {
      const piece = chunk.slice(start, nl);
      start = nl + 1;
      if (this.discarding) {
        this.discarding = false;
        continue;
      }
      const length = this.size + piece.length;
      const line = this.size > 0 ? this.parts.join('') + piece : piece;
      this.parts = [];
      this.size = 0;
      if (length > this.maxBytes) out.push(this.oversized());
      else if (line.trim() !== '') out.push(decodeLine(line));
    }
    if (start < chunk.length && !this.discarding) {
      const rest = start === 0 ? chunk : chunk.slice(start);
      if (this.size + rest.length > this.maxBytes) {
        out.push(this.oversized());
        this.discarding = true;
        this.parts = [];
        this.size = 0;
      } else {
        this.parts.push(rest);
        this.size += rest.length;
      }
    }
    return out;
  }

  private oversized(): Decoded {
    return { ok: false, error: `message larger than ${this.maxBytes} bytes`, oversized: true };
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
