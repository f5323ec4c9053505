import type { NotifyEntry } from '../config/types.js';
import { LlamaTopError } from '../protocol/errors.js';
import { isStackEventName, STACK_EVENTS, type NotifyOutcome, type StackEvent, type StackEventName } from '../protocol/journal.js';
import { debounce, type DebounceState } from './debounce.js';
import { runHook, type Delivery } from './hook.js';
import { oneLine, type NotifyPayload } from './payload.js';
import { postWebhook, retryDelay } from './webhook.js';

export interface NotifierContext {
  stack: string;
  host: string;
  /** Where commands run (the config's directory). */
  cwd: string;
  /** daemon.log */
  log: (line: string) => void;
  now?: () => number;
  /** Waits between webhook attempts (tests shorten nothing: they set `retries`). */
  sleep?: (ms: number) => Promise<void>;
}

/** More deliveries in flight than this (hooks that hang, webhooks that do not answer) and new ones are dropped. */
export const MAX_IN_FLIGHT = 32;

/** `command notify-send llama-top` / `webhook https://ntfy.example/llm`. Pure. */
export const describeTarget = (entry: NotifyEntry): string =>
  entry.target.type === 'command' ? `command ${entry.target.argv.join(' ')}` : `webhook ${entry.target.url}`;

/**
 * Turns the journal's named events into notifications: matched against each `notify:` entry, debounced per
 * (entry, service, event), delivered off the caller's path (handle() returns at once; a hook that hangs or a webhook
 * that never answers holds only its own delivery, bounded by its timeout), failures said once in daemon.log.
 */
export class Notifier {
  private entries: NotifyEntry[] = [];
  private keys: string[] = [];
  private readonly held = new Map<string, DebounceState>();
  private inFlight = 0;
  private droppedForLoad = 0;
  private readonly now: () => number;
  private readonly sleep: (ms: number) => Promise<void>;
  private readonly disposed = new AbortController();

  constructor(
    entries: NotifyEntry[],
    private readonly ctx: NotifierContext,
  ) {
    this.now = ctx.now ?? Date.now;
    this.sleep = ctx.sleep ?? ((ms) => new Promise((resolve) => setTimeout(resolve, ms).unref()));
    this.configure(entries);
  }

  /** A reload's entries; an entry that did not change keeps its debounce state. */
  configure(entries: NotifyEntry[]): void {
    this.entries = entries;
    this.keys = entries.map((e) => JSON.stringify(e));
    for (const key of this.held.keys()) if (!this.keys.some((k) => key.startsWith(`${k}\0`))) this.held.delete(key);
  }

  /** The daemon exits: hooks still running are killed, nothing new is sent. */
  dispose(): void {
    this.disposed.abort();
  }

  /** Called with every journal entry; returns at once. */
  handle(event: StackEvent): void {
    if (event.event === 'state' || this.disposed.signal.aborted) return;
    const name = event.event;
    this.entries.forEach((entry, i) => {
      if (!matches(entry, name, event.service)) return;
      const key = `${this.keys[i]}\0${event.service ?? ''}\0${name}`;
      const inLoop = name === 'crash' && (event.retries ?? 0) > 1;
      const { decision, state } = debounce(this.held.get(key), this.now(), entry.quietMs, inLoop);
      this.held.set(key, state);
      if (!decision.send) return;
      const payload: NotifyPayload = {
        stack: this.ctx.stack,
        host: this.ctx.host,
        service: event.service,
        event: name,
        reason: event.reason,
        time: event.time,
        ...(decision.suppressed ? { suppressed: decision.suppressed } : {}),
      };
      void this.deliverInBackground(entry, i, payload);
    });
  }

  /**
   * `notify test [EVENT]`: a sample of EVENT (else each entry's first event) to every entry that listens to it, once
   * each, no debounce and no retry; what each did.
   */
  async test(event: string | null, services: string[]): Promise<NotifyOutcome[]> {
    if (this.entries.length === 0) throw new LlamaTopError('FAILED', 'the config has no notify: entries (see the README, "Notifications")');
    if (event !== null && !isStackEventName(event)) throw new LlamaTopError('USAGE', `unknown event "${event}" (events: ${STACK_EVENTS.join(', ')})`);
    const chosen = this.entries.map((entry, i) => ({ entry, i })).filter(({ entry }) => event === null || entry.on.includes(event));
    if (chosen.length === 0)
      throw new LlamaTopError('FAILED', `no notify: entry listens to ${event} (they listen to: ${[...new Set(this.entries.flatMap((e) => e.on))].join(', ')})`);
    return Promise.all(
      chosen.map(async ({ entry, i }) => {
        const name = (event ?? entry.on[0]!) as StackEventName;
        const service = STACK_LEVEL.includes(name) ? null : (entry.services?.[0] ?? services[0] ?? null);
        const payload: NotifyPayload = {
          stack: this.ctx.stack,
          host: this.ctx.host,
          service,
          event: name,
          reason: `a test of llama-top's notifications (llama-top notify test)`,
          time: new Date(this.now()).toISOString(),
          test: true,
        };
        const result = await this.deliverOnce(entry, payload);
        return { entry: i, target: describeTarget(entry), event: name, ok: result.ok, detail: result.detail };
      }),
    );
  }

  private async deliverInBackground(entry: NotifyEntry, index: number, payload: NotifyPayload): Promise<void> {
    const what = `notify.${index} ${describeTarget(entry)} (${payload.service ? `${payload.service} ` : ''}${payload.event})`;
    if (this.inFlight >= MAX_IN_FLIGHT) {
      if (this.droppedForLoad++ === 0) this.ctx.log(`notify: ${MAX_IN_FLIGHT} notifications are still being delivered: dropping new ones until they end (first dropped: ${what})`);
      return;
    }
    this.inFlight++;
    try {
      let result = await this.deliverOnce(entry, payload);
      let attempts = 1;
      while (!result.ok && result.retry && entry.target.type === 'webhook' && attempts <= entry.retries && !this.disposed.signal.aborted) {
        await this.sleep(retryDelay(attempts));
        result = await this.deliverOnce(entry, payload);
        attempts++;
      }
      if (!result.ok)
        this.ctx.log(
          entry.target.type === 'webhook'
            ? `notify: ${what}: dropped after ${attempts} attempt${attempts === 1 ? '' : 's'} (last: ${result.detail}): ${oneLine(payload)}`
            : `notify: ${what}: ${result.detail}`,
        );
    } catch (error) {
      this.ctx.log(`notify: ${what}: ${(error as Error).message}`);
    } finally {
      this.inFlight--;
      if (this.inFlight === 0 && this.droppedForLoad > 0) {
        this.ctx.log(`notify: ${this.droppedForLoad} notification(s) were dropped while ${MAX_IN_FLIGHT} were being delivered`);
        this.droppedForLoad = 0;
      }
    }
  }

  private deliverOnce(entry: NotifyEntry, payload: NotifyPayload): Promise<Delivery> {
    return entry.target.type === 'command'
      ? runHook(entry.target.argv, payload, { cwd: this.ctx.cwd, timeoutMs: entry.timeoutMs, signal: this.disposed.signal })
      : postWebhook(entry.target, payload, entry.timeoutMs);
  }
}

/** Events about the stack as a whole, not a service. */
const STACK_LEVEL: StackEventName[] = ['disk-full', 'config-error'];

/** Does this entry want this event of this service? A stack-level event (no service) passes a `services:` filter. Pure. */
export function matches(entry: NotifyEntry, event: StackEventName, service: string | null): boolean {
  if (!entry.on.includes(event)) return false;
  return entry.services === null || service === null || entry.services.includes(service);
}
