import { serviceLogDir } from '../../logs/chunks.js';
import type { DaemonParts, HandlerGroup } from './context.js';

/** Where a service's log chunks are: its directory under this config's logs.dir. */
const logDirOf = (daemon: DaemonParts, name: string) => serviceLogDir(daemon.config().logs.dir, name);

/** Services' logs, read by the daemon (clients read no file of the stack). */
export const logsHandlers: HandlerGroup<'logs' | 'logs-follow' | 'log-tail'> = {
  logs: async ({ names, lines, sinceMs, times }, { daemon }) => {
    const { readLastLogLines, readLogLinesSince } = await import('../../logs/chunks.js');
    return {
      logs: daemon.supervisor.resolveNames(names).map((name) => {
        const dir = logDirOf(daemon, name);
        return { service: name, dir, lines: sinceMs !== null ? readLogLinesSince(dir, Date.now() - sinceMs) : readLastLogLines(dir, lines, times) };
      }),
    };
  },
  'logs-follow': async ({ names, times }, { daemon, connection }) => {
    const { followLogDir } = await import('../../logs/follow.js');
    for (const name of daemon.supervisor.resolveNames(names)) {
      const handle = followLogDir(logDirOf(daemon, name), (lines) => connection.send({ push: 'log', service: name, lines }), {
        withTimes: times,
        onGap: (chunks) => connection.send({ push: 'log-gap', service: name, chunks }),
      });
      connection.onClose.push(() => handle.stop());
    }
    connection.subscribed = true; // kept open (not idle) while it follows
    return null;
  },
  'log-tail': async ({ name, lines, mark }, { daemon }) => {
    const { latestChunk, readLastLogLines, sizeOrZero } = await import('../../logs/chunks.js');
    const dir = logDirOf(daemon, daemon.supervisor.resolveNames([name])[0]!);
    const chunk = latestChunk(dir);
    const now = `${chunk?.seq ?? 0}:${chunk ? sizeOrZero(chunk.file) : 0}:${lines}`;
    if (now === mark) return { mark: now, lines: null };
    return { mark: now, lines: readLastLogLines(dir, lines).map((l) => l.text) };
  },
};
