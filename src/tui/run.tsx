import { render } from 'ink';
import type { CommandContext } from '../commands/context.js';
import { App } from './app.js';
import { DiffingScreen } from './screen.js';
import { createBackendControl } from '../backend/control.js';
import type { DaemonApi } from '../protocol/daemon-api.js';

/** Composition root of the TUI: a client of the daemon, which it starts when absent. */
export async function runTui(ctx: CommandContext): Promise<number> {
  const config = await ctx.config();
  const color = !process.env.NO_COLOR;
  let stoppedAll = false;
  const screen = new DiffingScreen(process.stdout);
  const instance = render(
    <App
      name={config.name}
      connect={() => ctx.daemon()}
      autostart={config.services.filter((s) => s.autostart).map((s) => s.name)}
      backend={config.backend ? createBackendControl() : undefined}
      reload={(api) => reloadConfig(ctx, api)}
      color={color}
      onExit={(all) => (stoppedAll = all)}
    />,
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
