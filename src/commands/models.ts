import { serverKind } from '../kinds/index.js';
import type { ModelsReport } from '../kinds/kind.js';
import { namedServices, type CommandContext } from './context.js';

/** With `serve:`: the model names clients send to the endpoint, per service, and where it listens. */
export interface ServedAs {
  url: string | null;
  names: Record<string, string[]>;
}

/** "  send as       alpha, a (to http://127.0.0.1:8080/v1)": the names a client puts in `model`. Pure. */
export function servedAsLine(service: string, kind: string, served: ServedAs): string | null {
  const names = served.names[service];
  if (!names) return null;
  const own = serverKind(kind)?.servedNames ? `${names.length ? ' and ' : ''}the server's own model names` : '';
  return `  send as       ${names.join(', ')}${own} (the "model" of a request to ${served.url ? `${served.url}/v1` : 'the serve endpoint'})`;
}

/** Each server's models, as its kind tells them; with `serve:`, the names clients send for it under its first line. */
export function formatModels(list: ModelsReport[], now = Date.now(), served: ServedAs | null = null): string {
  const out = list.flatMap((m) => {
    const lines = serverKind(m.kind)?.formatModels(m, now) ?? [];
    const send = served && lines.length ? servedAsLine(m.service, m.kind, served) : null;
    return send ? [lines[0]!, send, ...lines.slice(1)] : lines;
  });
  return out.length ? out.join('\n') : 'no LLM server (llama-server, ollama, vllm) in this config';
}

/** `models [svc…] [--json]`: what each LLM server serves, with the GGUF file's own header. */
export async function modelsCommand(ctx: CommandContext): Promise<number> {
  const config = await ctx.config();
  namedServices(ctx.args, config);
  const client = await ctx.daemon();
  try {
    // The daemon asks the servers and reads the GGUF headers: this works from another machine too.
    const list = await client.models(ctx.args);
    const served = config.serve ? await servedAs(client) : null;
    ctx.out(ctx.flags.json ? JSON.stringify({ services: list, ...(served ? { serve: served } : {}) }) : formatModels(list, Date.now(), served));
    return list.some((m) => serverKind(m.kind)?.modelsFailed?.(m)) ? 1 : 0;
  } finally {
    client.close();
  }
}

async function servedAs(client: { status(): Promise<Array<{ name: string; serve?: { models: string[] } | null }>>; daemonInfo(): Promise<{ serve?: { url: string | null } | null }> }): Promise<ServedAs> {
  const [services, info] = await Promise.all([client.status(), client.daemonInfo()]);
  const names: Record<string, string[]> = {};
  for (const s of services) if (s.serve) names[s.name] = s.serve.models;
  return { url: info.serve?.url ?? null, names };
}
