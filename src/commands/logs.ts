import { readLastLogLines, readLogLinesSince, serviceLogDir, type LogLine } from '../logs/chunks.js';
import { followLogDir } from '../logs/follow.js';
import { namedServices, type CommandContext } from './context.js';

/** One output line of `logs`: `--json` objects, or text with an optional name column and ISO time. Pure. */
export function formatLogLine(service: string, line: LogLine, options: { prefix: string; timestamps: boolean; json: boolean }): string {
  const time = line.at === null ? null : new Date(line.at).toISOString();
  if (options.json) return JSON.stringify({ service, time, line: line.text });
  const stamp = options.timestamps ? `${time ?? '-'.padEnd(24)} ` : '';
  return `${options.prefix}${stamp}${line.text}`;
}

/** `logs [svc…] [-n N] [-f] [--timestamps] [--since 10m] [--json]`: reads the chunk files, with or without a daemon. */
export async function logsCommand(ctx: CommandContext): Promise<number> {
  const config = await ctx.config();
  const names = ctx.args.length ? namedServices(ctx.args, config) : config.services.map((s) => s.name);
  await ctx.warnIfConfigChanged();
  const width = Math.max(...names.map((n) => n.length));
  const { timestamps, json, since } = ctx.flags;
  const withTimes = timestamps || json || since !== null;
  const print = (name: string, lines: LogLine[]) => {
    const prefix = names.length > 1 ? `${name.padEnd(width)} | ` : '';
    for (const line of lines) ctx.out(formatLogLine(name, line, { prefix, timestamps, json }));
  };
  for (const name of names) {
    const dir = serviceLogDir(config.logs.dir, name);
    const lines = since !== null ? readLogLinesSince(dir, Date.now() - since) : readLastLogLines(dir, ctx.flags.lines, withTimes);
    if (lines.length === 0 && names.length === 1 && !ctx.flags.follow && since === null) {
      ctx.err(`no log yet for ${name} in ${dir}: start it with llama-top start ${name}`);
      return 1;
    }
    print(name, lines);
  }
  if (!ctx.flags.follow) return 0;
  const handles = names.map((name) =>
    followLogDir(serviceLogDir(config.logs.dir, name), (lines) => print(name, lines), {
      withTimes,
      onGap: (chunks) => ctx.err(`llama-top: ${name}: ${chunks} log file(s) were rotated away before they could be read`),
    }),
  );
  await new Promise<void>((resolve) => {
    process.once('SIGINT', resolve);
    process.once('SIGTERM', resolve);
  });
  for (const h of handles) h.stop();
  return 0;
}
