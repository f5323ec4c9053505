import type { StateChangeEvent } from '../protocol/messages.js';
import type { CommandContext } from './context.js';
import { stateLabel, troubleSuffix } from './format-status.js';

export function formatEvent(e: StateChangeEvent): string {
  const s = e.status;
  return `${e.time} ${e.service} ${e.from} -> ${stateLabel(s)}${s.pid ? ` (pid ${s.pid})` : ''}${troubleSuffix(s)}`;
}

/** `events [--json]`: one line per state change until interrupted; exit 3 if the daemon goes away. */
export async function eventsCommand(ctx: CommandContext): Promise<number> {
  const client = await ctx.daemon();
  const closed = new Promise<number>((resolve) => {
    client.onClose = () => {
      const reason = client.closeReason;
      ctx.err(reason ? `llama-top: ${reason.message}${reason.hint ? `\n  hint: ${reason.hint}` : ''}` : 'llama-top: the daemon went away');
      resolve(3);
    };
    process.once('SIGINT', () => resolve(0));
    process.once('SIGTERM', () => resolve(0));
  });
  await client.subscribe((push) => {
    if (push.push === 'event') ctx.out(ctx.flags.json ? JSON.stringify(push.event) : formatEvent(push.event));
  });
  const code = await closed;
  client.onClose = () => undefined;
  client.close();
  return code;
}
