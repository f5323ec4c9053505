import { dependencyOrder } from '../supervisor/start-order.js';
import { spawnProblem } from '../supervisor/spawn-check.js';
import type { ClientApi } from '../protocol/daemon-api.js';
import type { ServiceStatus, StartOutcome } from '../protocol/messages.js';
import type { ServeReloadOutcome } from '../protocol/results.js';
import { isRunning } from '../protocol/service-state.js';
import { namedServices, type CommandContext } from './context.js';
import { formatDrainOutcome, formatOutcome } from './format-status.js';
import { preflight } from './preflight.js';
import { DrainProgress, StartProgress, swapMates } from './start-progress.js';
import { interruptedStartText, interruption } from './interrupt.js';


/** `start` and `restart`: exit 0 only when every named service (all autostart ones by default) is ready. */
export async function startCommand(ctx: CommandContext, kind: 'start' | 'restart'): Promise<number> {
  const config = await ctx.config();
  let names = namedServices(ctx.args, config);
  // Services left out (autostart: false) that could not start anyway: said (what to fill in), never a failure.
  const leftOut = new Set<string>();
  if (names.length === 0 && kind === 'start') {
    names = config.services.filter((s) => s.autostart).map((s) => s.name);
    for (const svc of config.services.filter((s) => !s.autostart)) {
      const problem = spawnProblem(svc);
      if (!problem) continue;
      leftOut.add(svc.name);
      process.stderr.write(`llama-top: ${svc.name} not started (autostart: false): ${problem.message}\n`);
    }
  }
  // With `serve:`, services start on demand: `start` with none to autostart starts the daemon and its endpoint only.
  if (names.length === 0 && kind === 'start' && config.serve && ctx.args.length === 0) return startEndpointOnly(ctx);
  // None autostarts: every service, but those just said to be left out (unless that leaves none: then each is checked).
  if (names.length === 0) names = config.services.map((s) => s.name).filter((n) => !leftOut.has(n));
  if (names.length === 0) names = config.services.map((s) => s.name);
  // Checked before any daemon is started: a config that cannot start leaves nothing behind. A remote stack's files
  // are checked there, by its daemon (the same check runs before every spawn).
  const running = await ctx.existingDaemon();
  const before = new Map(running ? (await running.status()).map((s) => [s.name, s]) : []);
  // Local: connect again through daemon(), which warns when the file changed since the daemon started. Remote: each
  // connection is an ssh login, so the one already open is kept.
  if (!ctx.remote) running?.close();
  for (const name of ctx.remote ? [] : dependencyOrder(config.services, names)) {
    const svc = config.services.find((s) => s.name === name)!;
    if (kind === 'restart' || !isRunning(before.get(name)?.state ?? 'stopped')) preflight(svc, config.file);
  }
  const client = (ctx.remote ? running : null) ?? (await ctx.daemon());
  const began = Date.now();
  let progress: StartProgress | null = null;
  const stop = interruption();
  try {
    if (ctx.flags.wait && !ctx.flags.json) {
      const order = dependencyOrder(config.services, names);
      const shown = new StartProgress(order, progressOutput(), async (name) => (await client.logTail(name, 1, null)).lines?.[0] ?? null, swapMates(config.services, order));
      progress = shown;
      await client.subscribe((push) => {
        if (push.push === 'snapshot') shown.seed(push.services);
        else if (push.push === 'event') shown.onEvent(push.event);
      });
    }
    // Ctrl-C stops the waiting, not the services: the daemon goes on starting them, and this says so.
    const asked = kind === 'start' ? client.start(names, ctx.flags.wait, ctx.flags.force) : client.restart(names, ctx.flags.wait, ctx.flags.force, ctx.flags.now === true);
    asked.catch(() => undefined);
    const outcomes = await Promise.race([asked, stop.interrupted]);
    progress?.finish();
    for (const note of progress?.swapNotes() ?? []) ctx.err(note);
    if (outcomes === 'interrupted') {
      ctx.err(interruptedStartText(kind, names, ctx.hint));
      return 130;
    }
    const after = new Map((await client.status()).map((s) => [s.name, s]));
    const wasRunning = new Set(kind === 'start' ? names.filter((n) => ['ready', 'external'].includes(before.get(n)?.state ?? 'stopped')) : []);
    const code = await report(ctx, client, outcomes, after, kind === 'start' ? 'ready' : 'restarted, ready', wasRunning, began);
    if (config.serve && !ctx.flags.json) {
      const serve = (await client.daemonInfo()).serve;
      if (serve?.url) ctx.out(`serving on ${serve.url}/v1`);
      else if (serve) ctx.err(`llama-top: the serve endpoint does not listen: ${serve.error ?? 'see the daemon log'}`);
    }
    return code;
  } finally {
    stop.dispose();
    progress?.finish();
    client.close();
  }
}

/** Starts the daemon (its serve endpoint listens from the start) and says where the endpoint is. */
async function startEndpointOnly(ctx: CommandContext): Promise<number> {
  const client = await ctx.daemon();
  try {
    const info = await client.daemonInfo();
    if (ctx.flags.json) ctx.out(JSON.stringify({ results: [], serve: info.serve ?? null }));
    else if (info.serve?.url) ctx.out(`serving on ${info.serve.url}/v1 (no service autostarts: each starts on its first request)`);
    else ctx.err(`llama-top: the serve endpoint does not listen: ${info.serve?.error ?? 'unknown reason (see the daemon log)'}`);
    return info.serve?.url ? 0 : 1;
  } finally {
    client.close();
  }
}

/** Progress goes to stderr: stdout keeps only the result, for scripts. */
function progressOutput() {
  return { write: (text: string) => process.stderr.write(text), isTTY: process.stderr.isTTY === true, columns: process.stderr.columns ?? 80 };
}

export async function stopCommand(ctx: CommandContext, force: boolean): Promise<number> {
  const names = namedServices(ctx.args, await ctx.config());
  let client = await ctx.existingDaemon();
  if (!client) {
    // No daemon, but services it left running (daemon stop without --all, a killed daemon) are still ours to
    // stop: a new daemon re-adopts them (pid + start time), then stops them. Only the daemon reads state.json.
    client = await ctx.daemon();
    const adopted = (await client.status()).filter((s) => isRunning(s.state)).map((s) => s.name);
    if (adopted.length === 0) {
      await stopDaemonStartedHere(client);
      if (ctx.flags.json) ctx.out(JSON.stringify({ results: [] }));
      else ctx.out('nothing to stop: no daemon runs for this config and no service of it is left running');
      return 0;
    }
    if (!ctx.flags.json) ctx.err(`llama-top: no daemon ran, but ${adopted.join(', ')} did: a new daemon re-adopted ${adopted.length === 1 ? "it, to stop it" : "them, to stop them"}`);
  }
  try {
    // Those that ran nothing (stopped, or given up on) are said to be so: a stop of nothing is no "stopped in 0.0s".
    const idle = new Set((await client.status()).filter((s) => s.state === 'stopped' || s.state === 'error').map((s) => s.name));
    // A ready LLM server first waits for its requests in flight: say so, rather than seem to hang.
    if (!ctx.flags.json && !force && !ctx.flags.now) {
      const drains = new DrainProgress(names, (line) => process.stderr.write(line));
      await client.subscribe((push) => push.push === 'event' && drains.onEvent(push.event));
    }
    const outcomes = await client.stop(names, force, ctx.flags.now === true);
    // (A daemon asked to stop everything exits by itself once nothing runs; one left with nothing exits when idle.)
    // One with a serve endpoint stays, and its endpoint listens on: the next request starts a model again. Said so.
    const serve = names.length === 0 && (await ctx.config()).serve ? ((await client.daemonInfo()).serve ?? null) : null;
    const code = await report(ctx, client, outcomes, new Map(), force ? 'killed' : 'stopped', new Set(), Date.now(), idle, serve ? { serve } : {});
    if (serve?.url && !ctx.flags.json) ctx.out(stillServingLine(serve.url));
    return code;
  } finally {
    client.close();
  }
}

async function stopDaemonStartedHere(client: ClientApi): Promise<void> {
  const closed = new Promise<void>((resolve) => client.onDisconnect(resolve));
  await client.stopDaemon(false);
  await closed;
}

/** After `stop` of everything: the endpoint still listens, and how to stop it too. Pure. */
export function stillServingLine(url: string): string {
  return `endpoint still serving on ${url}/v1 (requests start models again; to stop it too: llama-top daemon stop)`;
}

async function report(ctx: CommandContext, client: ClientApi, outcomes: StartOutcome[], status: Map<string, ServiceStatus>, verb: string, wasRunning = new Set<string>(), since = Date.now(), wasIdle = new Set<string>(), json: Record<string, unknown> = {}): Promise<number> {
  if (ctx.flags.json) ctx.out(JSON.stringify({ results: outcomes, ...json }));
  else if (outcomes.length === 0) ctx.out('requested; not waiting (see llama-top status)');
  else
    for (const o of outcomes) {
      ctx.out(o.ok && wasIdle.has(o.name) ? `✓ ${o.name} was not running` : formatOutcome(o, verb, status.get(o.name), o.ok && wasRunning.has(o.name)));
      const logDir = status.get(o.name)?.logDir;
      if (!o.ok && logDir) {
        // This run's lines only (written since the command began): an older run's last words would mislead.
        const [tail] = await client.logs([o.name], 5, Date.now() - since, false);
        if (tail?.lines.length) ctx.out(`  last log lines (${logDir}):\n${tail.lines.map((l) => `    ${l.text}`).join('\n')}`);
      }
    }
  return outcomes.every((o) => o.ok) ? 0 : 1;
}

/** What a reload did to the serve endpoint, when it did something or failed (null: it listens where it did). Pure. */
export function serveReloadLine({ from, to, error }: ServeReloadOutcome): string | null {
  if (error) return `✗ serve endpoint: ${error.replace(/^serve: /, '')}${to ? ` (still serving on ${to}/v1)` : ''}`;
  if (from === to) return null;
  if (!to) return `serve endpoint closed (was ${from}/v1): the config has no serve:`;
  return from ? `✓ serve endpoint moved to ${to}/v1 (was ${from}/v1)` : `✓ serve endpoint listening on ${to}/v1`;
}

/** `reload`: the daemon applies the edited config; says what it kept, restarted, stopped and started. */
export async function reloadCommand(ctx: CommandContext): Promise<number> {
  const config = await ctx.reloadable(); // a broken config stops here: exit 2 with file:line:col, nothing changes
  const client = await ctx.existingDaemon();
  if (!client) {
    if (ctx.flags.json) ctx.out(JSON.stringify({ running: false }));
    else ctx.out('no daemon runs for this config: nothing to reload (the next start reads it)');
    return 0;
  }
  try {
    const result = await client.reload(config);
    if (ctx.flags.json) ctx.out(JSON.stringify(result));
    else {
      const line = (label: string, names: string[]) => names.length && ctx.out(`${label}: ${names.join(', ')}`);
      // Unchanged and stopped (on demand, swapped out, idle) is no "still running": say which is which.
      const state = new Map((await client.status()).map((s) => [s.name, s.state]));
      const running = result.unchanged.filter((n) => { const st = state.get(n); return st !== undefined && isRunning(st); });
      line('unchanged (still running, same pid)', running);
      line('unchanged (not running)', result.unchanged.filter((n) => !running.includes(n)));
      for (const o of result.restarted) ctx.out(o.ok ? `✓ ${o.name} changed: restarted, ready in ${(o.elapsedMs / 1000).toFixed(1)}s${o.drain ? formatDrainOutcome(o.drain) : ''}` : `✗ ${o.name} changed, restart failed: ${o.error ?? o.state}`);
      line('changed, not running (new settings at its next start)', result.changed);
      line('removed and stopped', result.removed);
      for (const o of result.started) ctx.out(o.ok ? `✓ ${o.name} added: ready in ${(o.elapsedMs / 1000).toFixed(1)}s` : `✗ ${o.name} added, start failed: ${o.error ?? o.state}`);
      line('added, not started (autostart: false)', result.added.filter((n) => !result.started.some((o) => o.name === n)));
      const serve = result.serve && serveReloadLine(result.serve);
      if (serve) ctx.out(serve);
    }
    return [...result.restarted, ...result.started].every((o) => o.ok) && !result.serve?.error ? 0 : 1;
  } finally {
    client.close();
  }
}
