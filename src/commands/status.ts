import { namedServices, type CommandContext } from './context.js';

export async function statusCommand(ctx: CommandContext): Promise<number> {
  if (ctx.args.length) namedServices(ctx.args, await ctx.config());
  const client = await ctx.daemon();
  try {
    const report = await client.statusReport();
    const services = ctx.args.length ? report.services.filter((s) => ctx.args.includes(s.name)) : report.services;
    const { problems, containment, serve } = report;
    if (ctx.flags.json) ctx.out(JSON.stringify({ services, problems, containment, ...(serve ? { serve } : {}) }));
    else {
      // The table needs every kind's summary (the kinds registry): `status --json` loads none of it.
      const { formatServeHeader, formatStatusTable } = await import('./format-status.js');
      if (serve) ctx.out(formatServeHeader(serve));
      ctx.out(formatStatusTable(services));
    }
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
    if (!client && !ctx.paths) {
      ctx.out(ctx.flags.json ? JSON.stringify({ running: false, host: ctx.remote?.host, configFile: ctx.configFile }) : `daemon: not running on ${ctx.remote?.host} for ${ctx.configFile}`);
      return 0;
    }
    // With no daemon there is nobody to ask: its state file says what it left running (read, never written).
    const info = client
      ? await client.daemonInfo()
      : { running: false, pid: null, socket: ctx.paths!.socket, stateDir: ctx.paths!.stateDir, configFile: ctx.configFile, name: (await ctx.config()).name, uptimeSeconds: null, version: '', unsupervised: (await import('../daemon/state-file.js')).survivingServices(ctx.paths!.stateFile) };
    client?.close();
    ctx.out(ctx.flags.json ? JSON.stringify(info) : (await import('./format-status.js')).formatDaemonInfo(info));
    return 0;
  }
  // daemon stop (the action was checked with the command line: cli/parse.ts)
  if (!client) {
    ctx.out(ctx.flags.json ? JSON.stringify({ stopped: false, running: false }) : 'daemon: not running');
    return 0;
  }
  const { pid } = await client.daemonInfo();
  const running = ctx.flags.all ? [] : (await client.status()).filter((s) => isRunning(s.state)).map((s) => s.name);
  const closed = new Promise<void>((resolve) => (client.onClose = resolve));
  await client.stopDaemon(ctx.flags.all);
  await closed;
  ctx.out(ctx.flags.json ? JSON.stringify({ stopped: true, pid, servicesStopped: ctx.flags.all }) : `daemon ${pid} stopped${daemonStopTail(ctx.flags.all, running)}`);
  return 0;
}

const RUNNING_STATES = new Set(['starting', 'ready', 'unhealthy', 'draining', 'stopping']);
const isRunning = (state: string) => RUNNING_STATES.has(state);

/** What `daemon stop` left behind, said only when it is true. Pure. */
export function daemonStopTail(all: boolean, running: string[]): string {
  if (all) return ' with every service';
  if (running.length === 0) return '; no service was running';
  return `; ${running.join(', ')} ${running.length === 1 ? 'keeps' : 'keep'} running (the next command's daemon re-adopts ${running.length === 1 ? 'it' : 'them'})`;
}
