import { survivingServices } from '../daemon/state-file.js';
import type { CommandContext } from './context.js';
import { formatDaemonInfo, formatStatusTable } from './format-status.js';

export async function statusCommand(ctx: CommandContext): Promise<number> {
  const client = await ctx.daemon();
  try {
    const { services, problems } = await client.statusReport();
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
  if (action === 'stop') {
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
  ctx.err(`unknown daemon action "${action}": use daemon status or daemon stop [--all]`);
  return 2;
}
