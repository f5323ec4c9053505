import { serverKind } from '../kinds/index.js';
import type { ModelsReport } from '../kinds/kind.js';
import { namedServices, type CommandContext } from './context.js';

/** Each server's models, as its kind tells them. */
export function formatModels(list: ModelsReport[], now = Date.now()): string {
  const out = list.flatMap((m) => serverKind(m.kind)?.formatModels(m, now) ?? []);
  return out.length ? out.join('\n') : 'no LLM server (llama-server, ollama, vllm) in this config';
}

/** `models [svc…] [--json]`: what each LLM server serves, with the GGUF file's own header. */
export async function modelsCommand(ctx: CommandContext): Promise<number> {
  namedServices(ctx.args, await ctx.config());
  const client = await ctx.daemon();
  try {
    // The daemon asks the servers and reads the GGUF headers: this works from another machine too.
    const list = await client.models(ctx.args);
    ctx.out(ctx.flags.json ? JSON.stringify({ services: list }) : formatModels(list));
    return list.some((m) => serverKind(m.kind)?.modelsFailed?.(m)) ? 1 : 0;
  } finally {
    client.close();
  }
}
