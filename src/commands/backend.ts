import { assertKnownBackend, backendOf, type BackendEntry } from '../backend/backends.js';
import { LlamaTopError } from '../protocol/errors.js';
import type { CommandContext } from './context.js';

export function formatBackends(active: string | null, app: string, entries: BackendEntry[]): string {
  const lines = [`${app} uses: ${active ?? 'unknown'}`];
  for (const b of entries) {
    const mark = b.healthy === null ? '?' : b.healthy ? '✓' : '✗';
    lines.push(`${b.active ? '›' : ' '} ${mark} ${b.name.padEnd(12)} ${(b.service ? `service ${b.service}` : 'served by the app').padEnd(22)}${b.reason ? ` ${b.reason}` : ''}`);
  }
  return lines.join('\n');
}

/** `backend status|list|health [NAME]|switch NAME [--force]`. */
export async function backendCommand(ctx: CommandContext): Promise<number> {
  const config = await ctx.config();
  const backend = backendOf(config);
  const [action = 'status', name] = ctx.args;
  if (action === 'switch' && !name) throw new LlamaTopError('USAGE', `backend switch needs a name (backends: ${Object.keys(backend.choices).join(', ')})`);
  if (name) assertKnownBackend(backend, name);
  const client = await ctx.daemon();
  try {
    if (action === 'switch') {
      const result = await client.backendSwitch(name!, ctx.flags.force);
      if (ctx.flags.json) ctx.out(JSON.stringify(result));
      else if (!result.changed) ctx.out(`${backend.app} already uses ${name}`);
      else ctx.out(`✓ ${backend.app} switched from ${result.from ?? 'unknown'} to ${result.to} in ${(result.elapsedMs / 1000).toFixed(1)}s${result.stopped ? `; stopped ${result.stopped}` : ''}`);
      // The switch itself was checked (the app came back ready); the backend behind it could not be: say so.
      if (!ctx.flags.json && result.unchecked) ctx.out(`? ${name}: not checked: ${result.unchecked}`);
      return 0;
    }
    const { active, backends: entries } = await client.backendReport(action === 'health' ? name : undefined, action === 'health');
    if (ctx.flags.json) ctx.out(JSON.stringify({ active, app: backend.app, backends: entries }));
    else ctx.out(formatBackends(active, backend.app, entries));
    if (action === 'health') return entries.every((b) => b.healthy !== false) ? 0 : 1;
    return 0;
  } finally {
    client.close();
  }
}
