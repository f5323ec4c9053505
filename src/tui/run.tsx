import { render } from 'ink';
import type { CommandContext } from '../commands/context.js';
import { App } from './app.js';
import { DiffingScreen } from './screen.js';
import type { RegionSink } from './log-region.js';
import { createBackendControl } from './backend-control.js';
import type { ClientApi, DaemonApi } from '../protocol/daemon-api.js';
import { HostsApi } from '../client/hosts-api.js';
import { dialSsh, type RemoteTarget } from '../client/ssh-link.js';

/** Composition root of the TUI: a client of the daemon, which it starts when absent. */
export async function runTui(ctx: CommandContext): Promise<number> {
  // The config comes from the daemon: with one running, the TUI loads no config parser (yaml, zod) at all.
  let first: ClientApi | null = await ctx.daemon();
  const config = await first.stackConfig();
  return show(ctx, (onExit, regions) => (
    <App
      name={config.name}
      connect={async () => {
        const spare = first;
        first = null;
        return spare ?? ctx.daemon();
      }}
      autostart={config.services.filter((s) => s.autostart).map((s) => s.name)}
      backend={config.backend ? createBackendControl() : undefined}
      reload={(api) => reloadConfig(ctx, api)}
      color={!process.env.NO_COLOR}
      lostText={ctx.remote ? `lost the link to ${ctx.remote.host}: reconnecting over ssh (the services keep running)…` : undefined}
      onExit={onExit}
      regions={regions}
    />
  ));
}

/**
 * The TUI on several boxes (`--remote a --remote b`, or `llama-top hosts`): one list grouped by host; each box is
 * dialled over ssh on its own, and one that drops says "unreachable, retrying" while the others work on.
 */
export async function runHostsTui(ctx: CommandContext, targets: RemoteTarget[]): Promise<number> {
  const hosts = new HostsApi(
    targets.map((t) => ({ host: t.host, connect: async () => (await dialSsh(t, true))! })),
    2000,
    (_host, api) => void api.stackConfig().then((c) => api.start(c.services.filter((s) => s.autostart).map((s) => s.name), false)).catch(() => undefined),
  );
  try {
    return await show(ctx, (onExit, regions) => (
      <App name={targets.map((t) => t.host).join(' + ')} connect={async () => hosts} autostart={[]} reload={(api) => reloadConfig(ctx, api)} color={!process.env.NO_COLOR} onExit={onExit} regions={regions} />
    ));
  } finally {
    hosts.close();
  }
}

async function show(ctx: CommandContext, app: (onExit: (stoppedAll: boolean) => void, regions: RegionSink) => React.ReactElement): Promise<number> {
  let stoppedAll = false;
  const screen = new DiffingScreen(process.stdout);
  const instance = render(
    app((all) => (stoppedAll = all), screen),
    // debug: Ink hands over whole frames; DiffingScreen paces them and writes only what changed.
    { stdout: screen as unknown as NodeJS.WriteStream, debug: true, exitOnCtrlC: false, patchConsole: false },
  );
  try {
    await instance.waitUntilExit();
  } finally {
    screen.close();
  }
  process.stdout.write(
    stoppedAll ? 'llama-top: every service stopped.\n' : `llama-top: the services keep running (${ctx.hint('status')}; ${ctx.hint('stop')} to stop them).\n`,
  );
  return 0;
}

/** R in the TUI: parse the config file afresh (an error names file:line:col; remote: the daemon reads it), then the daemon applies it. */
async function reloadConfig(ctx: CommandContext, api: DaemonApi): Promise<string> {
  const r = await api.reload(await ctx.reloadable());
  const parts = [
    r.restarted.length ? `restarted ${r.restarted.map((o) => `${o.name}${o.ok ? '' : ' (failed)'}`).join(', ')}` : '',
    r.removed.length ? `stopped ${r.removed.join(', ')}` : '',
    r.started.length ? `started ${r.started.map((o) => o.name).join(', ')}` : '',
  ].filter(Boolean);
  return `config reloaded: ${parts.length ? parts.join('; ') : 'nothing changed'}`;
}
