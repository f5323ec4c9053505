/**
 * Server-sent events as llama-server writes them (`data: {json}` / `error: {json}`, a blank line after each), parsed
 * incrementally from the chunks as they arrive. Pure.
 */

export interface SseEvent {
  /** `data` for an answer's event, `error` for llama-server's error event. */
  field: string;
  data: string;
}

export class SseParser {
  private buffer = '';

  /** The complete events in this chunk (plus what earlier chunks left over); a partial one waits for the rest. */
  push(chunk: string): SseEvent[] {
    this.buffer += chunk;
    const events: SseEvent[] = [];
    for (;;) {
      const end = /\r?\n\r?\n/.exec(this.buffer);
      if (!end) break;
      const block = this.buffer.slice(0, end.index);
      this.buffer = this.buffer.slice(end.index + end[0].length);
      const event = parseBlock(block);
      if (event) events.push(event);
    }
    return events;
  }

  /** What is left when the stream ends (a last event without its blank line). */
  end(): SseEvent[] {
    const block = this.buffer;
    this.buffer = '';
    const event = parseBlock(block);
    return event ? [event] : [];
  }
}

function parseBlock(block: string): SseEvent | null {
  let field: string | null = null;
  const data: string[] = [];
  for (const line of block.split(/\r?\n/)) {
    if (line === '' || line.startsWith(':')) continue;
    const colon = line.indexOf(':');
    const name = colon === -1 ? line : line.slice(0, colon);
    const value = colon === -1 ? '' : line.slice(colon + 1).replace(/^ /, '');
    field ??= name;
    if (name === field) data.push(value);
  }
  return field === null ? null : { field, data: data.join('\n') };
}
