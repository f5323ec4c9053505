import { z } from 'zod';
import { formatBackends } from '../commands/backend.js';
import { formatOutcome, formatStatusTable } from '../commands/format-status.js';
import { formatModels } from '../commands/models.js';
import { parseDuration } from '../config/durations.js';
import type { StackEvent } from '../protocol/journal.js';
import type { StartOutcome } from '../protocol/messages.js';
import type { McpContext } from './daemon-port.js';

/** What a tool answers: text a model reads, the same data as JSON, and whether it is a failure. */
export interface ToolAnswer {
  text: string;
  structured: Record<string, unknown>;
  isError?: boolean;
}

export interface ToolSpec<S extends z.ZodRawShape = z.ZodRawShape> {
  name: string;
  title: string;
  description: string;
  input: S;
  annotations: { readOnlyHint: boolean; destructiveHint?: boolean; idempotentHint?: boolean; openWorldHint: false };
  run(ctx: McpContext, args: z.infer<z.ZodObject<S>>): Promise<ToolAnswer>;
}

const tool = <S extends z.ZodRawShape>(spec: ToolSpec<S>): ToolSpec<S> => spec;
const READ = { readOnlyHint: true, openWorldHint: false } as const;

const services = z.array(z.string()).optional().describe('service names from the config; none: see the tool description');

/** "10m" (the last ten minutes) or an ISO time → an ISO time; null when absent. Pure. */
export function sinceTime(since: string | undefined, now = Date.now()): string | null {
  if (since === undefined || since === '') return null;
  const ms = parseDuration(since);
  if (ms !== null) return new Date(now - ms).toISOString();
  if (!Number.isNaN(Date.parse(since))) return new Date(Date.parse(since)).toISOString();
  throw new Error(`since: "${since}" is neither a duration (30s, 10m, 2h) nor an ISO time (2026-01-31T03:00:00Z)`);
}

/** A case-insensitive filter: a regular expression, or the text itself when it is not one. Pure. */
export function lineFilter(grep: string | undefined): (line: string) => boolean {
  if (!grep) return () => true;
  try {
    const re = new RegExp(grep, 'i');
    return (line) => re.test(line);
  } catch {
    const needle = grep.toLowerCase();
    return (line) => line.toLowerCase().includes(needle);
  }
}

/** One journal entry a line: `2026-…Z llama crash (ready → crashed): exited with code 1 …`. Pure. */
export function formatJournal(events: StackEvent[]): string {
  if (events.length === 0) return 'no events in that time';
  return events
    .map((e) => `${e.time} ${e.service ?? 'stack'} ${e.event}${e.from && e.to ? ` (${e.from} → ${e.to})` : ''}${e.reason ? `: ${e.reason}` : ''}`)
    .join('\n');
}

/** Outcomes of start/stop/restart, then the table as it stands; an error when one of them failed. */
async function lifecycleAnswer(ctx: McpContext, outcomes: StartOutcome[], verb: string): Promise<ToolAnswer> {
  const { services: after } = await (await ctx.daemon()).statusReport();
  const byName = new Map(after.map((s) => [s.name, s]));
  const failed = outcomes.filter((o) => !o.ok);
  const lines = outcomes.map((o) => formatOutcome(o, verb, byName.get(o.name)));
  return { text: `${lines.join('\n')}\n\n${formatStatusTable(after)}`, structured: { results: outcomes, services: after }, isError: failed.length > 0 };
}

export const TOOLS = [
  tool({
    name: 'status',
    title: 'Stack status',
    description: 'The state of every service (or those named): state, pid, CPU, memory, uptime, restarts, port, model, tok/s, last error.',
    input: { services },
    annotations: READ,
    async run(ctx, { services: names }) {
      const report = await (await ctx.daemon()).statusReport();
      const known = report.services.map((s) => s.name);
      const unknown = (names ?? []).filter((n) => !known.includes(n));
      if (unknown.length) return { text: `unknown service "${unknown[0]}" (services: ${known.join(', ')})`, structured: { error: 'UNKNOWN_SERVICE' }, isError: true };
      const shown = names?.length ? report.services.filter((s) => names.includes(s.name)) : report.services;
      const warnings = report.problems.map((p) => `warning: ${p}`);
      return { text: [formatStatusTable(shown), ...(warnings.length ? ['', ...warnings] : [])].join('\n'), structured: { services: shown, problems: report.problems } };
    },
  }),
  tool({
    name: 'logs',
    title: 'Service logs',
    description: "A service's latest log lines (oldest first, each with the time it was written), optionally since a time and filtered.",
    input: {
      service: z.string().describe('the service name'),
      lines: z.number().int().min(1).max(2000).optional().describe('how many lines at most (default 50)'),
      since: z.string().optional().describe('only lines written since: a duration back from now (30s, 10m, 2h) or an ISO time'),
      grep: z.string().optional().describe('only lines matching this case-insensitive regular expression (or text)'),
    },
    annotations: READ,
    async run(ctx, { service, lines = 50, since, grep }) {
      const from = sinceTime(since);
      const sinceMs = from === null ? null : Math.max(0, Date.now() - Date.parse(from));
      // With a filter, read further back so that `lines` matching ones can be found.
      const read = grep ? Math.min(20_000, lines * 50) : lines;
      const [log] = await (await ctx.daemon()).logs([service], read, sinceMs, true);
      const keep = lineFilter(grep);
      const picked = (log?.lines ?? []).filter((l) => keep(l.text)).slice(-lines);
      const rows = picked.map((l) => ({ time: l.at === null ? null : new Date(l.at).toISOString(), line: l.text }));
      const text = rows.length ? rows.map((r) => `${r.time ?? '?'} ${r.line}`).join('\n') : `no log lines of ${service}${grep ? ` matching ${JSON.stringify(grep)}` : ''}${since ? ` since ${since}` : ''}`;
      return { text, structured: { service, lines: rows } };
    },
  }),
  tool({
    name: 'start',
    title: 'Start services',
    description: 'Starts services (none named: every autostart one) and what they depend on, and waits until each is ready or failed.',
    input: { services },
    annotations: { readOnlyHint: false, destructiveHint: false, idempotentHint: true, openWorldHint: false },
    async run(ctx, { services: names }) {
      const api = await ctx.daemon();
      const wanted = names?.length ? names : (await api.statusReport()).services.filter((s) => s.autostart).map((s) => s.name);
      return lifecycleAnswer(ctx, await api.start(wanted, true), 'ready');
    },
  }),
  tool({
    name: 'stop',
    title: 'Stop services',
    description: 'Stops services (none named: all) and their process trees; an LLM server first waits for its requests in flight (drainTimeout; now: not).',
    input: { services, force: z.boolean().optional().describe('SIGKILL the process trees now'), now: z.boolean().optional().describe('skip the drain: cut the requests in flight') },
    annotations: { readOnlyHint: false, destructiveHint: true, idempotentHint: true, openWorldHint: false },
    async run(ctx, { services: names, force = false, now = false }) {
      return lifecycleAnswer(ctx, await (await ctx.daemon()).stop(names ?? [], force, now), 'stopped');
    },
  }),
  tool({
    name: 'restart',
    title: 'Restart services',
    description: 'Stops (an LLM server first drains its requests in flight; now: not) then starts services (none named: all); waits until each is ready or failed.',
    input: { services, now: z.boolean().optional().describe('skip the drain: cut the requests in flight') },
    annotations: { readOnlyHint: false, destructiveHint: true, idempotentHint: false, openWorldHint: false },
    async run(ctx, { services: names, now = false }) {
      return lifecycleAnswer(ctx, await (await ctx.daemon()).restart(names ?? [], true, false, now), 'ready');
    },
  }),
  tool({
    name: 'models',
    title: 'Models served',
    description: 'What each LLM server serves: its /v1/models, the GGUF header of its model file, ollama\'s pulled and loaded models.',
    input: { services },
    annotations: READ,
    async run(ctx, { services: names }) {
      const list = await (await ctx.daemon()).models(names ?? []);
      return { text: formatModels(list), structured: { services: list } };
    },
  }),
  tool({
    name: 'backend_status',
    title: "The chat app's backend",
    description: "Which backend the chat app uses, and each backend it can switch to with its health (✓, ✗ with why, ? unknown).",
    input: {},
    annotations: READ,
    async run(ctx) {
      const report = await (await ctx.daemon()).backendReport(undefined, true);
      return { text: formatBackends(report.active, report.app, report.backends), structured: { ...report } };
    },
  }),
  tool({
    name: 'backend_switch',
    title: "Switch the chat app's backend",
    description: "Points the chat app at another backend: checks it, rewrites the app's config, restarts the app, rolls back on failure.",
    input: { name: z.string().describe('a backend name from backend_status'), force: z.boolean().optional().describe('switch even when its health check fails') },
    annotations: { readOnlyHint: false, destructiveHint: true, idempotentHint: true, openWorldHint: false },
    async run(ctx, { name, force = false }) {
      const result = await (await ctx.daemon()).backendSwitch(name, force);
      const text = result.changed ? `switched from ${result.from ?? 'unknown'} to ${result.to} in ${(result.elapsedMs / 1000).toFixed(1)}s${result.stopped ? `; stopped ${result.stopped}` : ''}` : `already uses ${name}`;
      return { text, structured: { ...result } };
    },
  }),
  tool({
    name: 'reload',
    title: 'Apply the edited config',
    description: 'Applies the edited config file: unchanged services keep running, changed ones restart, removed ones stop, added ones start.',
    input: {},
    annotations: { readOnlyHint: false, destructiveHint: true, idempotentHint: true, openWorldHint: false },
    async run(ctx) {
      // The daemon reads its own file (here or on the --remote box): a broken one is refused there, with
      // file:line:col, and journaled as a config-error.
      const r = await (await ctx.daemon()).reload(null);
      const outcomes = [...r.restarted, ...r.started];
      const parts = [
        r.unchanged.length ? `unchanged: ${r.unchanged.join(', ')}` : null,
        ...r.restarted.map((o) => (o.ok ? `${o.name}: changed, restarted, ready` : `${o.name}: changed, restart failed: ${o.error ?? o.state}`)),
        r.changed.length ? `changed, not running (applies at the next start): ${r.changed.join(', ')}` : null,
        r.removed.length ? `removed and stopped: ${r.removed.join(', ')}` : null,
        ...r.started.map((o) => (o.ok ? `${o.name}: added, ready` : `${o.name}: added, start failed: ${o.error ?? o.state}`)),
      ].filter(Boolean);
      return { text: parts.join('\n') || 'nothing changed', structured: { ...r }, isError: outcomes.some((o) => !o.ok) };
    },
  }),
  tool({
    name: 'events',
    title: 'Recent stack events',
    description: 'What happened lately, oldest first: state changes and events (crash, gave-up, unhealthy, stalled, ready, stopped, disk-full…) with why.',
    input: {
      since: z.string().optional().describe('a duration back from now (30s, 10m, 2h) or an ISO time; default: all the daemon keeps'),
      limit: z.number().int().min(1).max(2000).optional().describe('at most this many, the newest (default 200)'),
    },
    annotations: READ,
    async run(ctx, { since, limit = 200 }) {
      const page = await (await ctx.daemon()).journal(sinceTime(since), limit);
      return { text: formatJournal(page.events), structured: { ...page } };
    },
  }),
];
