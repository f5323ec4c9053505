import type { LogLine } from '../logs/chunks.js';
import { timedLine } from '../logs/timed-line.js';
import { withoutHidden, type HideLines } from '../logs/shown-lines.js';
import { serverKind } from '../kinds/index.js';
import { namedServices, type CommandContext } from './context.js';

/** One output line of `logs`: `--json` objects, or text with an optional name column and ISO time. Pure. */
export function formatLogLine(service: string, line: LogLine, options: { prefix: string; timestamps: boolean; json: boolean }): string {
  const { time } = timedLine(line);
  if (options.json) return JSON.stringify({ service, ...timedLine(line) });
  const stamp = options.timestamps ? `${time ?? '-'.padEnd(24)} ` : '';
  return `${options.prefix}${stamp}${line.text}`;
}

/** `logs [svc…] [-n N] [-f] [--timestamps] [--since 10m] [--json]`: reads the chunk files, with or without a daemon. */
export async function logsCommand(ctx: CommandContext): Promise<number> {
  const config = await ctx.config();
  // `serve`: the serve endpoint's log (a line per request), unless a service has that name.
  const serveLog = (n: string) => n === 'serve' && config.serve !== undefined && !config.services.some((s) => s.name === 'serve');
  const alsoServe = config.serve !== undefined && !config.services.some((s) => s.name === 'serve') ? "; serve: the serve endpoint's log" : '';
  const names = ctx.args.length ? [...namedServices(ctx.args.filter((n) => !serveLog(n)), config, alsoServe), ...ctx.args.filter(serveLog)] : config.services.map((s) => s.name);
  const width = Math.max(...names.map((n) => n.length));
  const { timestamps, json, since } = ctx.flags;
  const withTimes = timestamps || json || since !== null;
  const probes = ctx.flags.probes !== false;
  // Followed lines come a few at a time: llama-top's own requests are told apart here, by the service's kind.
  const hideOf = (name: string) => {
    const server = serverKind(config.services.find((s) => s.name === name)?.kind ?? '');
    return probes || !server?.ownRequests ? null : (texts: string[]) => server.ownRequests!(texts);
  };
  const print = (name: string, lines: LogLine[], hide: HideLines | null = null) => {
    const prefix = names.length > 1 ? `${name.padEnd(width)} | ` : '';
    // The serve log's lines begin with their own time (when the request arrived: serve-log.ts), in the same ISO
    // form and column: --timestamps adds none to them (it would be a second, later one: when the line was written).
    const stamp = timestamps && !serveLog(name);
    for (const line of withoutHidden(lines, hide)) ctx.out(formatLogLine(name, line, { prefix, timestamps: stamp, json }));
  };
  // The daemon reads the logs and follows them: this works wherever the daemon is, files unseen.
  const client = await ctx.daemon();
  try {
    for (const { service, dir, lines } of await client.logs(names, ctx.flags.lines, since, withTimes, probes)) {
      if (lines.length === 0 && names.length === 1 && !ctx.flags.follow && since === null) {
        ctx.err(serveLog(service) ? `no request through the serve endpoint yet (its log is ${dir})` : `no log yet for ${service} in ${dir}: start it with llama-top start ${service}`);
        return 1;
      }
      print(service, lines);
    }
    if (!ctx.flags.follow) return 0;
    const ended = new Promise<number>((resolve) => {
      client.onDisconnect(() => {
        ctx.err(`llama-top: ${client.closeReason?.message ?? 'the daemon went away'}`);
        resolve(3);
      });
      process.once('SIGINT', () => resolve(0));
      process.once('SIGTERM', () => resolve(0));
    });
    await client.followLogs(names, withTimes, (name, lines) => print(name, lines, hideOf(name)), (service, chunks) =>
      ctx.err(`llama-top: ${service}: ${chunks} log file(s) were rotated away before they could be read`),
    );
    return await ended;
  } finally {
    client.close();
  }
}
