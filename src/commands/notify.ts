import { LlamaTopError } from '../protocol/errors.js';
import { isStackEventName, STACK_EVENTS, type NotifyOutcome } from '../protocol/journal.js';
import type { CommandContext } from './context.js';

/** One line per entry: `✓ notify.0 command notify-send llama-top (crash): exit 0 in 12 ms`. Pure. */
export function formatNotifyOutcomes(outcomes: NotifyOutcome[]): string {
  return outcomes.map((o) => `${o.ok ? '✓' : '✗'} notify.${o.entry} ${o.target} (${o.event}): ${o.detail}`).join('\n');
}

/** `notify test [EVENT]`: the daemon sends a sample to every matching entry; exit 1 when one failed. */
export async function notifyCommand(ctx: CommandContext): Promise<number> {
  const [, event, extra] = ctx.args;
  if (extra !== undefined) throw new LlamaTopError('USAGE', `notify test takes one EVENT at most, not "${extra}"`);
  if (event !== undefined && !isStackEventName(event)) throw new LlamaTopError('USAGE', `unknown event "${event}" (events: ${STACK_EVENTS.join(', ')})`);
  const client = await ctx.daemon();
  try {
    const outcomes = await client.notifyTest(event ?? null);
    ctx.out(ctx.flags.json ? JSON.stringify({ outcomes }) : formatNotifyOutcomes(outcomes));
    return outcomes.every((o) => o.ok) ? 0 : 1;
  } finally {
    client.close();
  }
}
