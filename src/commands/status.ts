import { survivingServices } from '../daemon/state-file.js';
import { namedServices, type CommandContext } from './context.js';
import { formatDaemonInfo, formatStatusTable } from './format-status.js';

export async function statusCommand(ctx: CommandContext): Promise<number> {
  if (ctx.args.length) namedServices(ctx.args, await ctx.config());
  const client = await ctx.daemon();
  try {
    const report = await client.statusReport();
    const services = ctx.args.length ? report.services.filter((s) => ctx.args.includes(s.name)) : report.services;
    const { problems } = report;
    ctx.out(ctx.flags.json ? JSON.stringify({ services, problems }) : formatStatusTable(services));
    if (!ctx.flags.json) for (const p of problems) ctx.err(`warning: ${p}`);
    return 0;
  } finally {
    client.close();
  }
}

/** `daemon status|stop`: never starts a daemon. */
export async function daemonCommand(ctx: CommandContext): Promise<number> {
  const action = ctx.args[0] ?? 'status';
  const client = await ctx.existingDaemon();
  if (action === 'status') {
    const info = client
      ? await client.daemonInfo()
      : { running: false, pid: null, socket: ctx.paths.socket, stateDir: ctx.paths.stateDir, configFile: ctx.configFile, name: (await ctx.config()).name, uptimeSeconds: null, version: '', unsupervised: survivingServices(ctx.paths.stateFile) };
    client?.close();
    ctx.out(ctx.flags.json ? JSON.stringify(info) : formatDaemonInfo(info));
    return 0;
  }
  // daemon stop (the action was checked with the command line: cli/parse.ts)
  if (!client) {
    ctx.out(ctx.flags.json ? JSON.stringify({ stopped: false, running: false }) : 'daemon: not running');
    return 0;
  }
  const { pid } = await client.daemonInfo();
  const closed = new Promise<void>((resolve) => (client.onClose = resolve));
  await client.stopDaemon(ctx.flags.all);
  await closed;
  ctx.out(ctx.flags.json ? JSON.stringify({ stopped: true, pid, servicesStopped: ctx.flags.all }) : `daemon ${pid} stopped${ctx.flags.all ? ' with every service' : '; services keep running'}`);
  return 0;
}
