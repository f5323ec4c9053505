import type { CommandContext } from '../commands/context.js';

export async function runTui(ctx: CommandContext): Promise<number> {
  ctx.err('the TUI is not built yet: use llama-top status');
  return 2;
}
