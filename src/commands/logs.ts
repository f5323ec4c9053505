import { followFile } from '../logs/follow.js';
import { latestLogFile } from '../logs/log-file.js';
import { readLastLines } from '../logs/tail.js';
import { LlamaTopError } from '../protocol/errors.js';
import type { CommandContext } from './context.js';
import fs from 'node:fs';

/** `logs [svc…] [-n N] [-f]`: reads the log files directly, so it works with or without a daemon. */
export async function logsCommand(ctx: CommandContext): Promise<number> {
  const config = await ctx.config();
  const known = config.services.map((s) => s.name);
  for (const name of ctx.args)
    if (!known.includes(name)) throw new LlamaTopError('UNKNOWN_SERVICE', `unknown service "${name}" (services: ${known.join(', ')})`);
  const names = ctx.args.length ? ctx.args : known;
  const prefix = (name: string) => (names.length > 1 ? `${name.padEnd(Math.max(...names.map((n) => n.length)))} | ` : '');
  const dir = config.logs.dir;
  const starts = new Map<string, { file: string | null; offset: number }>();
  for (const name of names) {
    const file = latestLogFile(dir, name);
    if (!file && names.length === 1 && !ctx.flags.follow) {
      ctx.err(`no log yet for ${name} in ${dir}: start it with llama-top start ${name}`);
      return 1;
    }
    for (const line of file ? readLastLines(file, ctx.flags.lines) : []) ctx.out(prefix(name) + line);
    starts.set(name, { file, offset: file ? fs.statSync(file).size : 0 });
  }
  if (!ctx.flags.follow) return 0;
  const handles = names.map((name) =>
    followFile(() => latestLogFile(dir, name), starts.get(name)!, (lines) => {
      for (const line of lines) ctx.out(prefix(name) + line);
    }),
  );
  await new Promise<void>((resolve) => {
    process.once('SIGINT', resolve);
    process.once('SIGTERM', resolve);
  });
  for (const h of handles) h.stop();
  return 0;
}
