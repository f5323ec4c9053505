import { formatBytes, formatDuration } from '../config/durations.js';
import { formatParameters } from '../models/gguf.js';
import { llamaServerModels, ollamaModels, type ServiceModels } from '../models/list-models.js';
import { namedServices, type CommandContext } from './context.js';

export function formatModels(list: ServiceModels[], now = Date.now()): string {
  const out: string[] = [];
  for (const m of list) {
    if (m.kind === 'llama-server') {
      out.push(`${m.service} (llama-server)${m.served ? `: serves ${m.served.join(', ') || 'nothing'}` : ''}${m.error ? `  [${m.error}]` : ''}`);
      if (m.gguf) {
        const g = m.gguf;
        out.push(`  file          ${g.file} (${formatBytes(g.fileSize)})`);
        out.push(`  name          ${g.name ?? '-'}`);
        out.push(`  architecture  ${g.architecture ?? '-'}`);
        out.push(`  parameters    ${formatParameters(g.parameterCount)}`);
        out.push(`  quantization  ${g.fileType ?? '-'}`);
        out.push(`  context       ${g.contextLength ?? '-'}`);
      } else if (m.ggufError) out.push(`  ${m.ggufError}`);
    } else {
      out.push(`${m.service} (ollama)${m.error ? `  [${m.error}]` : ''}`);
      for (const i of m.installed ?? []) {
        const loaded = m.loaded?.find((l) => l.name === i.name);
        const where = loaded ? `  loaded, ${formatBytes(loaded.sizeVramBytes)} in VRAM${loaded.expiresAt ? `, unloads in ${formatDuration(Math.max(0, Date.parse(loaded.expiresAt) - now))}` : ''}` : '';
        out.push(`  ${i.name.padEnd(24)} ${formatBytes(i.sizeBytes).padStart(6)}  ${(i.family ?? '-').padEnd(8)} ${(i.parameterSize ?? '-').padEnd(8)} ${i.quantization ?? '-'}${where}`);
      }
      if (m.installed?.length === 0) out.push('  no model installed (ollama pull NAME)');
    }
  }
  return out.length ? out.join('\n') : 'no llama-server or ollama service in this config';
}

/** `models [svc…] [--json]`: what each LLM server serves, with the GGUF file's own header. */
export async function modelsCommand(ctx: CommandContext): Promise<number> {
  const config = await ctx.config();
  namedServices(ctx.args, config);
  const client = await ctx.daemon();
  try {
    const services = await client.status();
    const wanted = services.filter((s) => (ctx.args.length ? ctx.args.includes(s.name) : true) && (s.kind === 'llama-server' || s.kind === 'ollama'));
    const list = await Promise.all(
      wanted.map((s) => (s.kind === 'ollama' ? ollamaModels(s) : llamaServerModels(config.services.find((c) => c.name === s.name)!, s))),
    );
    ctx.out(ctx.flags.json ? JSON.stringify({ services: list }) : formatModels(list));
    return list.some((m) => m.kind === 'llama-server' && m.ggufError) ? 1 : 0;
  } finally {
    client.close();
  }
}
