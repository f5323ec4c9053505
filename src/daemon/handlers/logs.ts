import { serviceLogDir } from '../../logs/chunks.js';
import type { DaemonParts, HandlerGroup } from './context.js';

/** Where a service's log chunks are: its directory under this config's logs.dir (`serve`: the serve endpoint's log). */
const logDirOf = (daemon: DaemonParts, name: string) => (isServeLog(daemon, name) ? daemon.serveLogDir()! : serviceLogDir(daemon.config().logs.dir, name));

/** `serve` names the serve endpoint's log, unless a service has that name. */
const isServeLog = (daemon: DaemonParts, name: string) => name === 'serve' && daemon.serveLogDir() !== null && !daemon.config().services.some((s) => s.name === 'serve');

/** The names asked for, checked: a service's, or `serve` for the endpoint's log. */
const resolveLogNames = (daemon: DaemonParts, names: string[]) =>
  names.length === 1 && isServeLog(daemon, names[0]!) ? names : daemon.supervisor.resolveNames(names.filter((n) => !isServeLog(daemon, n))).concat(names.filter((n) => isServeLog(daemon, n)));

/** How the service's kind tells llama-top's own requests in its log (null: it has none to tell). */
async function ownRequestsOf(daemon: DaemonParts, name: string): Promise<((texts: string[]) => boolean[]) | null> {
  const kind = daemon.config().services.find((s) => s.name === name)?.kind;
  const { serverKind } = await import('../../kinds/index.js');
  const server = kind ? serverKind(kind) : undefined;
  return server?.ownRequests ? (texts) => server.ownRequests!(texts) : null;
}

/** Services' logs, read by the daemon (clients read no file of the stack). */
export const logsHandlers: HandlerGroup<'logs' | 'logs-follow' | 'log-tail'> = {
  logs: async ({ names, lines, sinceMs, times, probes }, { daemon }) => {
    const { readLastShownLines, readShownLinesSince } = await import('../../logs/shown-lines.js');
    const resolved = resolveLogNames(daemon, names);
    const hides = await Promise.all(resolved.map((name) => (probes ? null : ownRequestsOf(daemon, name))));
    return {
      logs: resolved.map((name, i) => {
        const dir = logDirOf(daemon, name);
        const hide = hides[i] ?? null;
        return { service: name, dir, lines: sinceMs !== null ? readShownLinesSince(dir, sinceMs, lines, hide) : readLastShownLines(dir, lines, hide, times) };
      }),
    };
  },
  'logs-follow': async ({ names, times, probes }, { daemon, connection }) => {
    const { followLogDir } = await import('../../logs/follow.js');
    const { withoutHidden } = await import('../../logs/shown-lines.js');
    for (const name of resolveLogNames(daemon, names)) {
      const hide = probes ? null : await ownRequestsOf(daemon, name);
      const send = (lines: Parameters<typeof withoutHidden>[0]) => {
        const shown = withoutHidden(lines, hide);
        if (shown.length > 0) connection.send({ push: 'log', service: name, lines: shown });
      };
      const handle = followLogDir(logDirOf(daemon, name), send, {
        withTimes: times,
        onGap: (chunks) => connection.send({ push: 'log-gap', service: name, chunks }),
      });
      connection.onClose.push(() => handle.stop());
    }
    connection.subscribed = true; // kept open (not idle) while it follows
    return null;
  },
  'log-tail': async ({ name, lines, mark, probes }, { daemon }) => {
    const { latestChunk, sizeOrZero } = await import('../../logs/chunks.js');
    const { readLastShownLines } = await import('../../logs/shown-lines.js');
    const dir = logDirOf(daemon, resolveLogNames(daemon, [name])[0]!);
    const chunk = latestChunk(dir);
    const now = `${chunk?.seq ?? 0}:${chunk ? sizeOrZero(chunk.file) : 0}:${lines}:${probes}`;
    if (now === mark) return { mark: now, lines: null };
    const hide = probes ? null : await ownRequestsOf(daemon, name);
    return { mark: now, lines: readLastShownLines(dir, lines, hide).map((l) => l.text) };
  },
};
