import type { Dispatch, RefObject } from 'react';
import type { DaemonApi } from '../../protocol/daemon-api.js';
import { errorMessage } from '../../protocol/errors.js';
import type { StartOutcome } from '../../protocol/messages.js';
import type { UiAction } from '../state.js';

export interface Actions {
  restart(name: string): Promise<void>;
  start(name: string): Promise<void>;
  stop(name: string, force: boolean): Promise<void>;
  stopAll(): Promise<boolean>;
}

/** What the keys do to services: each shows its progress and its outcome in the status line. */
export function createActions(api: RefObject<DaemonApi | null>, dispatch: Dispatch<UiAction>): Actions {
  const toast = (level: 'info' | 'ok' | 'error', text: string) => dispatch({ type: 'toast', toast: { level, text } });
  const withApi = async (what: string, run: (a: DaemonApi) => Promise<void>) => {
    const a = api.current;
    if (!a) return toast('error', `${what}: not connected to the daemon yet`);
    try {
      await run(a);
    } catch (error) {
      toast('error', `${what}: ${errorMessage(error)}`);
    }
  };
  const report = (o: StartOutcome | undefined, verb: string) => {
    if (!o) return;
    if (o.ok) toast('ok', `${o.name} ${verb} in ${(o.elapsedMs / 1000).toFixed(1)} s`);
    else toast('error', `${o.name}: ${o.error ?? o.state}`);
  };
  return {
    restart: (name) =>
      withApi(`restart ${name}`, async (a) => {
        toast('info', `restarting ${name}…`);
        report((await a.restart([name], true))[0], 'ready');
      }),
    start: (name) =>
      withApi(`start ${name}`, async (a) => {
        toast('info', `starting ${name}…`);
        report((await a.start([name], true))[0], 'ready');
      }),
    stop: (name, force) =>
      withApi(`stop ${name}`, async (a) => {
        toast('info', `${force ? 'force-stopping' : 'stopping'} ${name}…`);
        const [o] = await a.stop([name], force);
        if (o?.ok) toast('ok', `${name} ${force ? 'killed' : 'stopped'} in ${(o.elapsedMs / 1000).toFixed(1)} s`);
        else if (o) toast('error', `${name}: still ${o.state}`);
      }),
    async stopAll() {
      let ok = false;
      await withApi('stop all', async (a) => {
        toast('info', 'stopping every service…');
        ok = (await a.stop([], false)).every((o) => o.ok);
      });
      return ok;
    },
  };
}
