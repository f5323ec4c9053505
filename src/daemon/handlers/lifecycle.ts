import { refuseLiveCopies } from '../live-copy-guard.js';
import type { DaemonHandler, HandlerGroup } from './context.js';

const startOrRestart =
  (verb: 'start' | 'restart'): DaemonHandler<typeof verb> =>
  async ({ names, wait, force, ...rest }, { daemon }) => {
    if ((daemon.stateLost() || daemon.stateStale()) && !force) refuseLiveCopies(daemon.supervisor, daemon.config(), names, daemon.stateLost() ? 'state.json was lost' : 'state.json may be stale (a write of it did not land)');
    const run = daemon.supervisor.start(names, verb, { now: 'now' in rest ? rest.now : false });
    if (!wait) {
      run.catch(() => undefined);
      daemon.supervisor.resolveNames(names); // an unknown name is still an error
      return { results: [] };
    }
    return { results: await run };
  };

/** Starting, stopping and watching services, and stopping the daemon. */
export const lifecycleHandlers: HandlerGroup<'start' | 'restart' | 'stop' | 'set-env' | 'subscribe' | 'daemon-stop'> = {
  start: startOrRestart('start'),
  restart: startOrRestart('restart'),
  stop: async ({ names, force, now }, { daemon }) => {
    const results = await daemon.supervisor.stop(names, force, { now });
    // (A daemon with a serve endpoint stays: the next request starts its model again. `daemon stop` ends it.)
    if (names.length === 0 && !daemon.foreground && !daemon.supervisor.anyRunning() && !daemon.config().serve)
      setImmediate(() => void daemon.shutdown(false, 'every service is stopped'));
    return { results };
  },
  'set-env': ({ name, env }, { daemon }) => {
    daemon.supervisor.setEnv(name, env);
    daemon.persist();
    return null;
  },
  subscribe: ({ samples }, { daemon, connection }) => {
    connection.send({ push: 'snapshot', services: daemon.supervisor.status() });
    connection.subscribed = true;
    connection.samples = samples;
    return null;
  },
  'daemon-stop': ({ all }, { daemon }) => {
    setImmediate(() => void daemon.shutdown(all, all ? 'daemon stop --all' : 'daemon stop'));
    return null;
  },
};
