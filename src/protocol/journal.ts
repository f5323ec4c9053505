import type { ServiceState } from './status.js';

/**
 * What the stack tells people (notifications), assistants (MCP `events`) and charts (marks): the named events.
 * `started-on-demand` and `idle-stop` come from the serve endpoint, `backend-switch` from a switch of the chat app's
 * backend (service: the app, reason: `from → to`); the rest from the supervisor and the daemon (`draining`: a stop
 * waits for the requests in flight; `drain-cut`: drainTimeout or a stop --now cut some).
 */
export const STACK_EVENTS = [
  'ready',
  'crash',
  'gave-up',
  'unhealthy',
  'stalled',
  'stopped',
  'disk-full',
  'vram-not-released',
  'draining',
  'drain-cut',
  'config-error',
  'started-on-demand',
  'idle-stop',
  'backend-switch',
] as const;

export type StackEventName = (typeof STACK_EVENTS)[number];

export const isStackEventName = (value: string): value is StackEventName => (STACK_EVENTS as readonly string[]).includes(value);

/** One entry of the daemon's event journal: a named event, or (`state`) a state change that is none of them. */
export interface StackEvent {
  /** Increases by one per entry for the daemon's life: a reader can tell what it has already seen. */
  seq: number;
  /** ISO 8601. */
  time: string;
  /** The service it is about; null for the stack as a whole (a full disk, a refused reload). */
  service: string | null;
  event: StackEventName | 'state';
  /** The state change behind it, when it is one. */
  from: ServiceState | null;
  to: ServiceState | null;
  /** Why: the same text as the service's `lastError`, or what the emitter said. */
  reason: string | null;
  /** The service's retry count at that moment (a crash loop's place), when it is about a service. */
  retries: number | null;
}

/** What a daemon-side module hands the journal; the journal adds seq and time. */
export type StackEventInput = Omit<StackEvent, 'seq' | 'time' | 'from' | 'to' | 'retries'> & Partial<Pick<StackEvent, 'from' | 'to' | 'retries' | 'time'>>;

/** The answer to a `journal` request: the entries after `since`, oldest first. */
export interface JournalPage {
  events: StackEvent[];
  /** The oldest entry the daemon still keeps (older ones were dropped from its bounded ring), or null when empty. */
  oldest: string | null;
}

/** What `notify test` did for one notify entry. */
export interface NotifyOutcome {
  /** The entry's index under `notify:` (0 for the first: `notify.0` as config errors name it). */
  entry: number;
  /** `command notify-send llama-top` or `webhook https://…`. */
  target: string;
  event: StackEventName;
  ok: boolean;
  /** `exit 0 in 12 ms`, `HTTP 200 in 40 ms`, `timed out after 10 s: killed` … */
  detail: string;
}
