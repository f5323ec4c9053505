/** The last number after `"key":` in `text`, or null. Pure. */
function lastNumber(text: string, key: string): number | null {
  const re = new RegExp(`"${key}"\\s*:\\s*(\\d+)`, 'g');
  let found: number | null = null;
  for (let m = re.exec(text); m; m = re.exec(text)) found = Number(m[1]);
  return found;
}

/**
 * Tokens in and out as the answer's end says them (OpenAI's `usage`, ollama's `prompt_eval_count`/`eval_count`),
 * from the answer's last bytes: a streamed answer says them in its last event, when it says them at all. Pure.
 */
export function usageFrom(tail: string): { tokensIn: number | null; tokensOut: number | null } {
  return {
    tokensIn: lastNumber(tail, 'prompt_tokens') ?? lastNumber(tail, 'prompt_eval_count'),
    tokensOut: lastNumber(tail, 'completion_tokens') ?? lastNumber(tail, 'eval_count'),
  };
}

const KEEP = 16 * 1024;

/** The last 16 KiB of an answer, kept by reference as it passes (nothing is copied or held back). */
export class AnswerTail {
  private chunks: Buffer[] = [];
  private size = 0;

  push(chunk: Buffer): void {
    this.chunks.push(chunk);
    this.size += chunk.length;
    while (this.chunks.length > 1 && this.size - this.chunks[0]!.length >= KEEP) this.size -= this.chunks.shift()!.length;
  }

  text(): string {
    const all = Buffer.concat(this.chunks);
    return all.subarray(Math.max(0, all.length - KEEP)).toString('utf8');
  }
}
