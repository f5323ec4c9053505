import type { KindPreset } from './kind.js';
import { commandHealth } from './command-health.js';

export const appKind: KindPreset = {
  validate(raw) {
    const problems = [];
    if (!raw.command) problems.push({ key: 'command', message: 'an app needs a command, e.g. command: python3 app.py' });
    if ((raw.health?.http || raw.health?.tcp) && raw.port === undefined)
      problems.push({ key: 'port', message: 'an HTTP or TCP health check needs the port the app listens on' });
    return problems;
  },
  argv: ({ commandWords, args }) => [...commandWords!, ...args],
  env: ({ port }): Record<string, string> => (port === undefined ? {} : { PORT: String(port) }),
  // A web app (Chat-O-Llama's Flask/werkzeug) logs every request: a GET / every 5 s is 720 lines an hour of its log
  // that say nothing. Checked every 60 s while healthy and unwatched; at the interval while starting, after a failed
  // check, or while the TUI, the page or `events` watches.
  quietProbeMs: 60_000,
  health(raw) {
    if (raw.health?.command) return commandHealth(raw.health.command);
    if (raw.health?.http) return { type: 'http', path: raw.health.http };
    if (raw.port !== undefined) return { type: 'tcp' };
    return { type: 'alive', afterMs: raw.readyAfter ?? 1000 };
  },
};
