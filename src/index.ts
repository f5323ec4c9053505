/**
 * llama-top from code: `import { connect } from 'llama-top'`. The same daemon the CLI and the TUI talk to, over its
 * Unix socket (or, with `remote`, over `ssh HOST llama-top dial-stdio`); the daemon is started when absent.
 */
import { connectStack, type StackTarget } from './client/connect.js';
import { timedLine } from './logs/timed-line.js';
import type { HistoryAnswer } from './protocol/history.js';
import type { ServiceStatus, StartOutcome, StateChangeEvent } from './protocol/messages.js';

export type { ServiceStatus, StartOutcome, StateChangeEvent } from './protocol/messages.js';
export type { HistoryAnswer, HistoryMark, HistoryPoint } from './protocol/history.js';
export { LlamaTopError } from './protocol/errors.js';

/** Which stack: its config file, and the ssh host it runs on when not here. */
export type ConnectOptions = StackTarget;

/** What `subscribe` delivers: every service once, then one event per state change. */
export type StackEvent = { type: 'snapshot'; services: ServiceStatus[] } | { type: 'state'; event: StateChangeEvent };

export interface LlamaTop {
  status(): Promise<ServiceStatus[]>;
  /** Starts services (none named: the autostart ones) and what they need; with wait, resolves once each is ready or failed. */
  start(names?: string[], options?: { wait?: boolean }): Promise<StartOutcome[]>;
  /** force: SIGKILL now; now: skip the drain (an LLM server's stop otherwise waits for its requests in flight). */
  stop(names?: string[], options?: { force?: boolean; now?: boolean }): Promise<StartOutcome[]>;
  restart(names: string[], options?: { wait?: boolean; now?: boolean }): Promise<StartOutcome[]>;
  /** The last `lines` lines of a service's log, with the time each was written when known. */
  logs(name: string, options?: { lines?: number }): Promise<Array<{ time: string | null; line: string }>>;
  /** Each service's figures over time and the marks on that time line (`service`: one; `since`: the last seconds). */
  history(options?: { service?: string; since?: number }): Promise<HistoryAnswer>;
  /** Calls `listener` with a snapshot, then with every state change; returns the function that stops it. */
  subscribe(listener: (event: StackEvent) => void): Promise<() => void>;
  /** Called once if the daemon goes away (it was stopped, or the ssh link dropped). */
  onDisconnect(listener: () => void): void;
  close(): void;
}

/** Connects to the stack's daemon, starting it when absent (this parses and checks the config, as the CLI does). */
export async function connect(options: ConnectOptions = {}): Promise<LlamaTop> {
  const client = await connectStack(options);
  return {
    status: () => client.status(),
    start: async (names = [], o = {}) => client.start(names, o.wait ?? true),
    stop: (names = [], o = {}) => client.stop(names, o.force ?? false, o.now ?? false),
    restart: (names, o = {}) => client.restart(names, o.wait ?? true, false, o.now ?? false),
    logs: async (name, o = {}) => ((await client.logs([name], o.lines ?? 100, null, true))[0]?.lines ?? []).map(timedLine),
    history: (o = {}) => client.call('history', { service: o.service ?? null, since: o.since ?? null }),
    subscribe: (listener) =>
      client.subscribe((push) => {
        if (push.push === 'snapshot') listener({ type: 'snapshot', services: push.services });
        else if (push.push === 'event') listener({ type: 'state', event: push.event });
      }),
    onDisconnect: (listener) => client.onDisconnect(listener),
    close: () => client.close(),
  };
}
