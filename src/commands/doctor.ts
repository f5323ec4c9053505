import fs from 'node:fs';
import type { ServiceConfig } from '../config/types.js';
import { errorMessage } from '../protocol/errors.js';
import { readGguf } from '../models/gguf.js';
import { describePortHolder, findPortHolder } from '../process/ports.js';
import { resolveBinary } from '../process/spawner.js';
import type { ServiceStatus } from '../protocol/messages.js';
import type { CommandContext } from './context.js';
import { checkLinger } from './linger.js';

export interface Check {
  level: 'ok' | 'warn' | 'fail';
  what: string;
  detail: string;
}

const MARK = { ok: '✓', warn: '!', fail: '✗' };

export function formatChecks(checks: Check[]): string {
  return checks.map((c) => `${MARK[c.level]} ${c.what}: ${c.detail}`).join('\n');
}

async function checkService(svc: ServiceConfig, status: ServiceStatus | undefined): Promise<Check[]> {
  const out: Check[] = [];
  const binary = resolveBinary(svc.argv[0]!, svc.cwd, svc.env.PATH ?? process.env.PATH);
  out.push(binary ? { level: 'ok', what: `${svc.name} binary`, detail: binary } : { level: 'fail', what: `${svc.name} binary`, detail: `${svc.argv[0]} not found on PATH` });
  if (svc.model) {
    try {
      const info = readGguf(svc.model);
      out.push({ level: 'ok', what: `${svc.name} model`, detail: `${svc.model} (${info.architecture ?? '?'}, ${info.fileType ?? '?'})` });
    } catch (error) {
      out.push({ level: 'fail', what: `${svc.name} model`, detail: errorMessage(error) });
    }
  }
  if (svc.port !== undefined) {
    const ours = status && status.pid !== null && ['starting', 'ready', 'unhealthy', 'stopping'].includes(status.state);
    const holder = ours ? null : await findPortHolder(svc.port, svc.host);
    if (ours) out.push({ level: 'ok', what: `${svc.name} port`, detail: `${svc.port} held by our pid ${status.pid}` });
    else if (status?.state === 'external') out.push({ level: 'warn', what: `${svc.name} port`, detail: `${svc.port}: an external ${svc.kind} (adopted read-only)` });
    else if (holder) out.push({ level: 'fail', what: `${svc.name} port`, detail: describePortHolder(svc.port, holder) });
    else out.push({ level: 'ok', what: `${svc.name} port`, detail: `${svc.port} is free` });
  }
  return out;
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
  for (const svc of config.services) checks.push(...(await checkService(svc, statuses.find((s) => s.name === svc.name))));
  for (const dir of [ctx.paths.stateDir, ctx.paths.socketDir]) {
    if (!fs.existsSync(dir)) continue;
    const mode = fs.statSync(dir).mode & 0o777;
    checks.push(mode & 0o077 ? { level: 'fail', what: 'permissions', detail: `${dir} is ${mode.toString(8)}: run chmod 700 ${dir}` } : { level: 'ok', what: 'permissions', detail: `${dir} is 700` });
  }
  const linger = checkLinger();
  if (linger) checks.push({ level: linger.atRisk ? 'fail' : 'ok', what: 'logout', detail: linger.message });
  checks.push({ level: 'ok', what: 'gpu', detail: resolveBinary('nvidia-smi', process.cwd()) ? 'nvidia-smi found: GPU memory is shown per service' : 'no nvidia-smi: no GPU figures' });
  ctx.out(ctx.flags.json ? JSON.stringify({ checks }) : formatChecks(checks));
  return checks.some((c) => c.level === 'fail') ? 1 : 0;
}
