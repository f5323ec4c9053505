import { listeningPortsOf } from '../process/listening-ports.js';
import fs from 'node:fs';
import path from 'node:path';
import { execa } from 'execa';
import { findVenvPython, installHint, isOptionalBackend, isPythonProgram, isSystemPython, missingDistributionsScript, requirementNames } from '../kinds/python.js';
import type { NotifyEntry, ServiceConfig } from '../config/types.js';
import { errorMessage } from '../protocol/errors.js';
import { readGguf } from '../models/gguf.js';
import { Containment, stackKey } from '../process/containment.js';
import { describePortHolder, findPortHolder } from '../process/ports.js';
import { resolveBinary } from '../process/spawner.js';
import type { ServiceStatus } from '../protocol/messages.js';
import { localPaths, type CommandContext } from './context.js';
import { checkLinger } from './linger.js';

export interface Check {
  /** ok: checked and fine; unknown: could not be checked (the detail says why), never a ✓. */
  level: 'ok' | 'warn' | 'fail' | 'unknown';
  what: string;
  detail: string;
}

const MARK = { ok: '✓', warn: '!', fail: '✗', unknown: '?' };

export function formatChecks(checks: Check[]): string {
  return checks.map((c) => `${MARK[c.level]} ${c.what}: ${c.detail}`).join('\n');
}

async function checkService(svc: ServiceConfig, status: ServiceStatus | undefined): Promise<Check[]> {
  const out: Check[] = [];
  const binary = resolveBinary(svc.argv[0]!, svc.cwd, svc.env.PATH ?? process.env.PATH);
  out.push(binary ? { level: 'ok', what: `${svc.name} binary`, detail: binary } : { level: 'fail', what: `${svc.name} binary`, detail: `${svc.argv[0]} not found on PATH` });
  if (svc.model && !path.isAbsolute(svc.model)) out.push({ level: 'unknown', what: `${svc.name} model`, detail: `${svc.model} is a name, not a file: the server fetches or finds it, so only it can tell` });
  else if (svc.model && !svc.model.toLowerCase().endsWith('.gguf'))
    out.push(fs.existsSync(svc.model) ? { level: 'ok', what: `${svc.name} model`, detail: svc.model } : { level: 'fail', what: `${svc.name} model`, detail: `${svc.model} does not exist` });
  else if (svc.model && !fs.existsSync(svc.model))
    out.push({ level: 'fail', what: `${svc.name} model`, detail: `${svc.model} does not exist: put the GGUF file there, or set services.${svc.name}.model to its path` });
  else if (svc.model) {
    try {
      const info = readGguf(svc.model);
      out.push({ level: 'ok', what: `${svc.name} model`, detail: `${svc.model} (${info.architecture ?? '?'}, ${info.fileType ?? '?'})` });
    } catch (error) {
      out.push({ level: 'fail', what: `${svc.name} model`, detail: errorMessage(error) });
    }
  }
  if (binary) out.push(...(await checkPython(svc, binary)));
  if (svc.port !== undefined) {
    const ours = status && status.pid !== null && ['starting', 'ready', 'unhealthy', 'draining', 'stopping'].includes(status.state);
    const holder = ours ? null : await findPortHolder(svc.port, svc.host);
    if (ours) out.push(ourPortCheck(svc.name, svc.port, status.pid!));
    else if (status?.state === 'external') out.push({ level: 'warn', what: `${svc.name} port`, detail: `${svc.port}: an external ${svc.kind} (adopted read-only)` });
    else if (holder) out.push({ level: 'fail', what: `${svc.name} port`, detail: describePortHolder(svc.port, holder) });
    else out.push({ level: 'ok', what: `${svc.name} port`, detail: `${svc.port} is free` });
  }
  // A service left out of `start` (autostart: false, as init writes one it could not complete) stops nothing from starting.
  if (!svc.autostart) return out.map((c) => (c.level === 'fail' ? { ...c, level: 'warn', detail: `${c.detail} (autostart: false: start leaves ${svc.name} out until then)` } : c));
  return out;
}

/** Our service's port, as the kernel sees it: the port its process tree really listens on, not the one configured. */
function ourPortCheck(name: string, port: number, pid: number): Check {
  const what = `${name} port`;
  const held = listeningPortsOf(pid);
  if (held === null) return { level: 'unknown', what, detail: `cannot tell which port pid ${pid} listens on (no /proc/net/tcp or its sockets are not readable); the config says ${port}` };
  if (held.includes(port)) return { level: 'ok', what, detail: `${port} held by our pid ${pid}` };
  if (held.length === 0) return { level: 'warn', what, detail: `our pid ${pid} listens on no TCP port yet; the config says ${port} (services.${name}.port)` };
  return { level: 'fail', what, detail: `our pid ${pid} listens on ${held.join(', ')}, not on ${port} as services.${name}.port says: make the app's own config and services.${name}.port agree` };
}

/**
 * A Python app: warn when it runs a system python while a venv sits in its directory, and when its interpreter
 * lacks a distribution its requirements.txt / pyproject.toml names (the app would die on ModuleNotFoundError).
 */
async function checkPython(svc: ServiceConfig, binary: string): Promise<Check[]> {
  const argv0 = svc.argv[0]!;
  const isPython = isPythonProgram(binary) || (argv0 === 'uv' && svc.argv[2]?.startsWith('python'));
  if (!isPython) return [];
  const out: Check[] = [];
  const venv = findVenvPython(svc.cwd);
  if (venv && isSystemPython(argv0))
    out.push({ level: 'warn', what: `${svc.name} python`, detail: `runs the system ${argv0} while ${path.join(svc.cwd, venv)} is here: use it (command: [${venv}, ${svc.argv.slice(1).join(', ')}])` });
  const wanted = requirementNames(svc.cwd);
  if (!wanted?.names.length) return out;
  const interpreter = argv0 === 'uv' ? svc.argv.slice(0, 3) : [binary];
  const run = await execa(interpreter[0]!, [...interpreter.slice(1), '-c', missingDistributionsScript(wanted.names)], { cwd: svc.cwd, env: svc.env, reject: false, timeout: 30_000 });
  const missing = String(run.stdout).split('\n').filter(Boolean);
  if (run.exitCode !== 0) out.push({ level: 'warn', what: `${svc.name} packages`, detail: `could not ask ${interpreter.join(' ')} which packages it has: ${String(run.stderr).trim().split('\n').at(-1)}` });
  else if (missing.length) {
    const how = venv && isSystemPython(argv0) ? `run the app with ${venv}` : installHint(interpreter.join(' '), wanted.file);
    const required = missing.filter((n) => !isOptionalBackend(n));
    const optional = missing.filter((n) => isOptionalBackend(n));
    if (required.length) out.push({ level: 'fail', what: `${svc.name} packages`, detail: `${interpreter.join(' ')} lacks ${required.join(', ')} (from ${wanted.from}): ${how}` });
    if (optional.length)
      out.push({
        level: 'warn',
        what: `${svc.name} optional packages`,
        detail: `${interpreter.join(' ')} lacks ${optional.join(', ')} (from ${wanted.from}), an optional backend the app loads only when it is chosen: ${how} if you use it`,
      });
  } else out.push({ level: 'ok', what: `${svc.name} packages`, detail: `${interpreter.join(' ')} has the ${wanted.names.length} packages of ${wanted.from}` });
  return out;
}

/** Each notify command can be run: its program exists (a hook that cannot run would fail at 3 a.m., silently). */
export function checkNotifyCommands(entries: NotifyEntry[], cwd: string): Check[] {
  return entries.flatMap((entry, i): Check[] => {
    if (entry.target.type !== 'command') return [];
    const program = entry.target.argv[0]!;
    const found = resolveBinary(program, cwd);
    const what = `notify.${i} command`;
    return [found ? { level: 'ok', what, detail: `${found} (on ${entry.on.join(', ')})` } : { level: 'fail', what, detail: `${program} not found${program.includes('/') ? ` (relative to ${cwd})` : ' on PATH'}: install it or fix notify.${i}.command` }];
  });
}

/** `doctor`: everything that would stop the stack from starting or surviving, each with what to do. */
export async function doctorCommand(ctx: CommandContext): Promise<number> {
  const checks: Check[] = [];
  const major = Number(process.versions.node.split('.')[0]);
  checks.push({ level: major >= 20 ? 'ok' : 'fail', what: 'node', detail: `${process.version}${major >= 20 ? '' : ' (llama-top needs 20 or newer)'}` });
  const config = await ctx.config();
  checks.push({ level: 'ok', what: 'config', detail: `${config.file} (${config.services.length} services)` });
  const client = await ctx.existingDaemon();
  const statuses = client ? await client.status().catch(() => []) : [];
  const info = client ? await client.daemonInfo().catch(() => null) : null;
  client?.close();
  checks.push(info ? { level: 'ok', what: 'daemon', detail: `running, pid ${info.pid}` } : { level: 'ok', what: 'daemon', detail: 'not running (the next command starts it)' });
  // Which way a stop finds every process of a service: the daemon's own answer, else what a daemon here would pick.
  const containment = info?.containment ?? (ctx.remote ? null : Containment.detect(stackKey(config.file, config.name)).info());
  if (containment)
    checks.push({ level: containment.mechanism === 'cgroup' ? 'ok' : 'warn', what: 'containment', detail: `${containment.detail}; what escapes a stop: ${containment.escapes}` });
  for (const svc of config.services) checks.push(...(await checkService(svc, statuses.find((s) => s.name === svc.name))));
  checks.push(...checkNotifyCommands(config.notify ?? [], config.dir));
  for (const dir of [localPaths(ctx).stateDir, localPaths(ctx).socketDir]) {
    if (!fs.existsSync(dir)) continue;
    const mode = fs.statSync(dir).mode & 0o777;
    checks.push(mode & 0o077 ? { level: 'fail', what: 'permissions', detail: `${dir} is ${mode.toString(8)}: run chmod 700 ${dir}` } : { level: 'ok', what: 'permissions', detail: `${dir} is 700` });
  }
  const linger = checkLinger();
  if (linger) checks.push({ level: linger.atRisk ? 'fail' : 'ok', what: 'logout', detail: linger.message });
  checks.push(resolveBinary('nvidia-smi', process.cwd()) ? { level: 'ok', what: 'gpu', detail: 'nvidia-smi found: GPU memory is shown per service' } : { level: 'unknown', what: 'gpu', detail: 'no nvidia-smi on PATH: GPU memory cannot be read (none is shown)' });
  ctx.out(ctx.flags.json ? JSON.stringify({ checks }) : formatChecks(checks));
  return checks.some((c) => c.level === 'fail') ? 1 : 0;
}
