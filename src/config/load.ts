import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { isMap, LineCounter, parseDocument, type Document } from 'yaml';
import type { z } from 'zod';
import { LlamaTopError } from '../protocol/errors.js';
import { KIND_PRESETS } from '../kinds/index.js';
import { configSchema, type RawConfig, type RawService } from './schema.js';
import { resolveNotify } from './notify-resolve.js';
import { splitCommand } from './split-command.js';
import { configuredNames, isServedService } from '../serve/served-names.js';
import type { KindPreset } from '../kinds/kind.js';
import type { HttpConfig, RestartPolicy, ServeConfig, ServiceConfig, StackConfig } from './types.js';

export { findConfigFile } from './find.js';

/** Alias expansions allowed per document: merge keys between services use a handful, a bomb millions. */
const MAX_ALIAS_COUNT = 1000;

export function loadConfig(file: string, defaultStateLogsDir: (configFile: string, name: string) => string): StackConfig {
  const realFile = fs.realpathSync(file);
  let text: string;
  try {
    text = fs.readFileSync(realFile, 'utf8');
  } catch (error) {
    throw new LlamaTopError('CONFIG', `${realFile}: cannot read: ${(error as Error).message}`);
  }
  return parseConfigText(text, realFile, defaultStateLogsDir);
}

export function parseConfigText(text: string, file: string, defaultLogsDir: (configFile: string, name: string) => string): StackConfig {
  const lineCounter = new LineCounter();
  // merge: YAML merge keys (`<<: *base`) share settings between services.
  const doc = parseDocument(text, { lineCounter, prettyErrors: false, uniqueKeys: true, merge: true });
  if (doc.errors.length > 0) {
    const error = doc.errors[0]!;
    const pos = lineCounter.linePos(error.pos[0]);
    throw new LlamaTopError('CONFIG', `${file}:${pos.line}:${pos.col}: YAML syntax error: ${firstLine(error.message)}`);
  }
  let plain: unknown;
  try {
    plain = doc.toJS({ maxAliasCount: MAX_ALIAS_COUNT }) ?? {};
  } catch (error) {
    // yaml refuses a document whose aliases expand beyond maxAliasCount (a "billion laughs" bomb)
    throw new LlamaTopError('CONFIG', `${file}: ${firstLine((error as Error).message)}: its aliases (*name) expand too far; write the values out or use fewer nested aliases`);
  }
  const result = configSchema.safeParse(withoutExtensions(plain));
  if (!result.success) throw new LlamaTopError('CONFIG', describeIssue(result.error.issues[0]!, doc, lineCounter, file));
  const raw = result.data;
  const locate = (keyPath: Array<string | number>) => `${file}:${position(doc, lineCounter, keyPath)}`;
  return resolveConfig(raw, file, locate, defaultLogsDir);
}

/** Top-level `x-…` keys hold anchors to merge elsewhere (as in compose files); they are not settings. Pure. */
function withoutExtensions(value: unknown): unknown {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return value;
  return Object.fromEntries(Object.entries(value).filter(([key]) => !key.startsWith('x-')));
}

function resolveConfig(
  raw: RawConfig,
  file: string,
  locate: (keyPath: Array<string | number>) => string,
  defaultLogsDir: (configFile: string, name: string) => string,
): StackConfig {
  const dir = path.dirname(file);
  const name = raw.name ?? path.basename(dir);
  const names = Object.keys(raw.services);
  if (names.length === 0) throw new LlamaTopError('CONFIG', `${locate(['services'])} services: the config defines no service`);
  const services = names.map((svcName) => resolveService(svcName, raw.services[svcName]!, raw, dir, locate));
  for (const svc of services)
    for (const dep of svc.dependsOn)
      if (!raw.services[dep])
        throw new LlamaTopError('CONFIG', `${locate(['services', svc.name, 'dependsOn'])} services.${svc.name}.dependsOn: unknown service "${dep}" (known: ${names.join(', ')})`);
  assertNoCycle(services, locate);
  assertUniquePorts(services, locate);
  const serve = raw.serve ? resolveServe(raw.serve, services, locate) : undefined;
  assertOneAutostartPerGroup(services, locate);
  const backend = raw.backend && {
    app: raw.backend.app,
    file: raw.backend.file && resolvePath(dir, raw.backend.file),
    key: raw.backend.key,
    env: raw.backend.env,
    choices: raw.backend.choices,
    health: Object.fromEntries(
      Object.entries(raw.backend.health ?? {}).map(([choice, h]) => [
        choice,
        h.http !== undefined ? { http: h.http } : h.url !== undefined ? { url: h.url } : { argv: typeof h.command === 'string' ? splitCommand(h.command) : h.command! },
      ]),
    ),
    stopOther: raw.backend.stopOther ?? false,
  };
  if (backend) {
    if (!raw.services[backend.app]) throw new LlamaTopError('CONFIG', `${locate(['backend', 'app'])} backend.app: unknown service "${backend.app}"`);
    for (const [choice, svc] of Object.entries(backend.choices))
      if (svc !== null && !raw.services[svc])
        throw new LlamaTopError('CONFIG', `${locate(['backend', 'choices', choice])} backend.choices.${choice}: unknown service "${svc}"`);
    for (const choice of Object.keys(backend.health))
      if (!(choice in backend.choices))
        throw new LlamaTopError('CONFIG', `${locate(['backend', 'health', choice])} backend.health.${choice}: not one of backend.choices (${Object.keys(backend.choices).join(', ')})`);
  }
  return {
    file,
    dir,
    name,
    logs: {
      // A configured directory may be shared by several stacks: each keeps to a subdirectory named like its
      // state directory (name-hash), so none ever prunes another's files.
      dir: raw.logs?.dir ? path.join(resolvePath(dir, raw.logs.dir), path.basename(path.dirname(defaultLogsDir(file, name)))) : defaultLogsDir(file, name),
      maxFiles: raw.logs?.maxFiles ?? 10,
      maxBytes: raw.logs?.maxBytes ?? 50 * 1024 * 1024,
    },
    metricsIntervalMs: raw.metrics?.interval ?? 2000,
    services,
    backend,
    ...(raw.http ? { http: resolveHttp(raw.http, locate) } : {}),
    ...(serve ? { serve } : {}),
    ...(raw.notify?.length ? { notify: resolveNotify(raw.notify, names, locate) } : {}),
  };
}

/** Whether `host` is only reachable from this machine (127.0.0.0/8, ::1, localhost). Pure. */
const isLoopback = (host: string): boolean => host === 'localhost' || host === '::1' || /^127\.\d+\.\d+\.\d+$/.test(host);

/** A `listen: HOST:PORT` split and checked: loopback only unless `allowRemote`. */
function resolveListen(section: 'http' | 'serve', listen: string, allowRemote: boolean | undefined, locate: (keyPath: Array<string | number>) => string): { host: string; port: number } {
  const at = listen.lastIndexOf(':');
  const host = listen.slice(0, at).replace(/^\[|\]$/g, '');
  const port = Number(listen.slice(at + 1));
  if (port < 1 || port > 65535) throw new LlamaTopError('CONFIG', `${locate([section, 'listen'])} ${section}.listen: port ${port} is out of range (1-65535)`);
  if (!isLoopback(host) && allowRemote !== true)
    throw new LlamaTopError('CONFIG', `${locate([section, 'listen'])} ${section}.listen: ${host} is not a loopback address: the ${section === 'http' ? 'API' : 'endpoint'} would be reachable from other machines; listen on 127.0.0.1, or set ${section}.allowRemote: true`);
  return { host, port };
}

/** `http.listen` split and checked: loopback only unless `allowRemote`. */
function resolveHttp(raw: NonNullable<RawConfig['http']>, locate: (keyPath: Array<string | number>) => string): HttpConfig {
  return { ...resolveListen('http', raw.listen, raw.allowRemote, locate), allowRemote: raw.allowRemote === true, origins: raw.origins ?? [] };
}

/** `serve:` checked: loopback only unless `allowRemote`, not on a service's port, each model name served once. */
function resolveServe(raw: NonNullable<RawConfig['serve']>, services: ServiceConfig[], locate: (keyPath: Array<string | number>) => string): ServeConfig {
  const { host, port } = resolveListen('serve', raw.listen, raw.allowRemote, locate);
  const clash = services.find((s) => s.port === port);
  if (clash) throw new LlamaTopError('CONFIG', `${locate(['serve', 'listen'])} serve.listen: port ${port} is also services.${clash.name}.port: give the endpoint a port of its own`);
  assertEachNameOneService(services, locate);
  return { host, port, allowRemote: raw.allowRemote === true, apiKeys: raw.apiKeys ?? [] };
}

/** How a service claims a model name: a `models:` entry, or by default its name or its model file's basename. */
type NameClaim = { service: string; how: 'models' | 'name' | 'file' };

const claimText = (c: NameClaim): string =>
  c.how === 'models' ? `a model of service ${c.service}` : c.how === 'name' ? `the name of service ${c.service} (served by default: it has no models: list)` : `service ${c.service}'s model file name (served by default: it has no models: list)`;

/**
 * Each model name routes to one service: refuses a name two services claim, whether by `models:` or by default (a
 * service without `models:` is served as its name and its model file's basename; see served-names.ts). Two default
 * basenames alike (two services on one model file) are let through: each is still reached by its own name.
 */
function assertEachNameOneService(services: ServiceConfig[], locate: (keyPath: Array<string | number>) => string): void {
  const claims = new Map<string, NameClaim>();
  const claimsOf = (svc: ServiceConfig): Array<[string, NameClaim]> => {
    if (svc.models?.length) return [...new Set(svc.models)].map((m) => [m, { service: svc.name, how: 'models' }]);
    if (!isServedService(svc)) return [];
    return configuredNames(svc).map((n) => [n, { service: svc.name, how: n === svc.name ? 'name' : 'file' }]);
  };
  const all = services.flatMap(claimsOf);
  // Explicit claims first, so a clash is told at the models: list that made it (the key to change).
  for (const [name, claim] of [...all.filter(([, c]) => c.how !== 'models'), ...all.filter(([, c]) => c.how === 'models')]) {
    const other = claims.get(name);
    if (other && !(other.how === 'file' && claim.how === 'file')) {
      const [blamed, holder] = claim.how === 'models' || other.how !== 'models' ? [claim, other] : [other, claim];
      const key = blamed.how === 'models' ? 'models' : 'model';
      const fix =
        blamed.how === 'models'
          ? holder.how === 'models'
            ? `take it out of one of the two lists`
            : `take it out of services.${blamed.service}.models, or give services.${holder.service} a models: list of its own`
          : `give services.${blamed.service} or services.${holder.service} a models: list`;
      throw new LlamaTopError('CONFIG', `${locate(['services', blamed.service, key])} services.${blamed.service}.${key}: "${name}" is also ${claimText(holder)}: a name routes to one service; ${fix}`);
    }
    if (!other) claims.set(name, claim);
  }
}

/** At most one service of a group runs at a time: two that autostart would break that at once. */
function assertOneAutostartPerGroup(services: ServiceConfig[], locate: (keyPath: Array<string | number>) => string): void {
  const first = new Map<string, string>();
  for (const s of services) {
    if (!s.group || !s.autostart) continue;
    const other = first.get(s.group);
    if (other)
      throw new LlamaTopError('CONFIG', `${locate(['services', s.name, 'group'])} services.${s.name}.autostart: ${other} of group ${s.group} autostarts too, and one service of a group runs at a time: set autostart: false on all but one`);
    first.set(s.group, s.name);
  }
}

function resolveService(name: string, svc: RawService, raw: RawConfig, dir: string, locate: (keyPath: Array<string | number>) => string): ServiceConfig {
  const preset = KIND_PRESETS[svc.kind];
  const problem = preset.validate(svc)[0];
  if (problem) throw new LlamaTopError('CONFIG', `${locate(['services', name])} services.${name}.${problem.key}: ${problem.message}`);
  // A model is a file relative to the config, unless the kind also takes names (vllm: Qwen/Qwen2.5-1.5B-Instruct).
  const isName = (m: string) => preset.modelMayBeName === true && !/^(\.{1,2}\/|~\/|\/)/.test(m);
  const resolved: RawService = { ...svc, model: svc.model && (isName(svc.model) ? svc.model : resolvePath(dir, svc.model)), modelsDir: svc.modelsDir && resolvePath(dir, svc.modelsDir) };
  let commandWords: string[] | undefined;
  try {
    commandWords = typeof svc.command === 'string' ? splitCommand(svc.command) : svc.command;
  } catch (error) {
    throw new LlamaTopError('CONFIG', `${locate(['services', name, 'command'])} services.${name}.command: ${(error as Error).message}`);
  }
  const host = svc.host ?? '127.0.0.1';
  const port = svc.port ?? preset.defaultPort;
  const ctx = { name, raw: resolved, host, port, commandWords, args: svc.args ?? [] };
  const argv = preset.argv(ctx);
  // "   " or [""] would spawn nothing at all: the service would sit in starting and wedge every later request.
  const blankCommand = commandWords !== undefined && (commandWords.length === 0 || commandWords[0]!.trim() === '');
  if (blankCommand || argv.length === 0 || argv[0]!.trim() === '')
    throw new LlamaTopError('CONFIG', `${locate(['services', name, svc.command !== undefined ? 'command' : 'args'])} services.${name}.command: is blank: name the program to run, e.g. command: [node, server.js]`);
  const restart: RestartPolicy = {
    maxRetries: svc.restart?.maxRetries ?? raw.restart?.maxRetries ?? 5,
    backoffMs: svc.restart?.backoff ?? raw.restart?.backoff ?? 1000,
    maxBackoffMs: svc.restart?.maxBackoff ?? raw.restart?.maxBackoff ?? 16_000,
    resetAfterMs: svc.restart?.resetAfter ?? raw.restart?.resetAfter ?? 60_000,
    onUnhealthy: svc.restart?.onUnhealthy ?? raw.restart?.onUnhealthy ?? true,
  };
  return {
    name,
    kind: svc.kind,
    argv,
    cwd: svc.cwd ? resolvePath(dir, svc.cwd) : dir,
    env: { PYTHONUNBUFFERED: '1', ...preset.env(ctx), ...svc.env },
    host,
    port,
    model: resolved.model,
    startTimeoutMs: svc.startTimeout ?? 120_000,
    stopTimeoutMs: svc.stopTimeout ?? 10_000,
    drainTimeoutMs: svc.drainTimeout ?? 30_000,
    restart,
    autostart: svc.autostart ?? true,
    health: preset.health(resolved),
    probeIntervalMs: svc.health?.interval ?? 5000,
    quietProbeIntervalMs: quietProbeInterval(svc.health, preset),
    probeTimeoutMs: svc.health?.timeout ?? 2000,
    failureThreshold: svc.health?.failureThreshold ?? 3,
    inference:
      // (not in router mode: a 1-token request there would have to name, and so load, a model)
      preset.server?.checkInference && svc.health?.inference !== false && !svc.modelsDir
        ? { intervalMs: (svc.health?.inference || {}).interval ?? 60_000, timeoutMs: (svc.health?.inference || {}).timeout ?? 30_000 }
        : null,
    dependsOn: svc.dependsOn ?? [],
    ...(svc.models ? { models: svc.models } : {}),
    ...(svc.group ? { group: svc.group } : {}),
    ...(svc.idleStop !== undefined ? { idleStopMs: svc.idleStop } : {}),
  };
}

/**
 * How often a healthy service's check runs while no client watches: `health.quietInterval`, else the kind's quiet
 * pace for an HTTP check with no interval set (each check is a line in its log), else the interval. Pure.
 */
function quietProbeInterval(health: RawService['health'], preset: KindPreset): number {
  const interval = health?.interval ?? 5000;
  if (health?.quietInterval !== undefined) return Math.max(interval, health.quietInterval);
  const http = health?.http !== undefined && health.command === undefined;
  return http && health?.interval === undefined && preset.quietProbeMs !== undefined ? Math.max(interval, preset.quietProbeMs) : interval;
}

function assertNoCycle(services: ServiceConfig[], locate: (keyPath: Array<string | number>) => string): void {
  const byName = new Map(services.map((s) => [s.name, s]));
  const visiting = new Set<string>();
  const done = new Set<string>();
  const visit = (name: string, trail: string[]): void => {
    if (done.has(name)) return;
    if (visiting.has(name))
      throw new LlamaTopError('CONFIG', `${locate(['services', name, 'dependsOn'])} services.${name}.dependsOn: dependency cycle ${[...trail, name].join(' -> ')}`);
    visiting.add(name);
    for (const dep of byName.get(name)!.dependsOn) visit(dep, [...trail, name]);
    visiting.delete(name);
    done.add(name);
  };
  for (const s of services) visit(s.name, []);
}

function assertUniquePorts(services: ServiceConfig[], locate: (keyPath: Array<string | number>) => string): void {
  const seen = new Map<number, string>();
  for (const s of services) {
    if (s.port === undefined) continue;
    const other = seen.get(s.port);
    if (other) throw new LlamaTopError('CONFIG', `${locate(['services', s.name, 'port'])} services.${s.name}.port: port ${s.port} is also used by service ${other}`);
    seen.set(s.port, s.name);
  }
}

function describeIssue(issue: z.core.$ZodIssue, doc: Document, lineCounter: LineCounter, file: string): string {
  const keyPath = issue.path.map((p) => (typeof p === 'symbol' ? String(p) : p));
  if (issue.code === 'unrecognized_keys') {
    const key = issue.keys[0]!;
    const where = [...keyPath, key];
    return `${file}:${position(doc, lineCounter, where, true)} ${dotted(where)}: unknown key (check its spelling; see the README's config reference)`;
  }
  if (issue.code === 'invalid_key') {
    // a bad map key (a service name): say the rule, not "Invalid key in record"
    const rule = issue.issues[0]?.message ?? issue.message;
    return `${file}:${position(doc, lineCounter, keyPath, true)} ${dotted(keyPath.slice(0, -1))}: ${JSON.stringify(keyPath.at(-1))} is not a valid name: ${rule}`;
  }
  const value = keyPath.length ? doc.getIn(keyPath) : undefined;
  let message = issue.message;
  if (value === undefined && keyPath.length > 0) message = issue.code === 'invalid_type' ? 'is required' : `is required (${message})`;
  else if (issue.code === 'invalid_type') message = `expected ${issue.expected}, got ${JSON.stringify(value)}`;
  return `${file}:${position(doc, lineCounter, keyPath)} ${dotted(keyPath) || '(top level)'}: ${message}`;
}

function position(doc: Document, lineCounter: LineCounter, keyPath: Array<string | number>, atKey = false): string {
  for (let depth = keyPath.length; depth > 0; depth--) {
    const parent = depth > 1 ? doc.getIn(keyPath.slice(0, depth - 1), true) : doc.contents;
    if (isMap(parent)) {
      const pair = parent.items.find((item) => (item.key as { value?: unknown } | null)?.value === keyPath[depth - 1]);
      const node = (atKey || depth < keyPath.length ? pair?.key : (pair?.value ?? pair?.key)) as { range?: [number, number, number] } | undefined;
      if (node?.range) {
        const pos = lineCounter.linePos(node.range[0]);
        return `${pos.line}:${pos.col}`;
      }
    }
    const node = doc.getIn(keyPath.slice(0, depth), true) as { range?: [number, number, number] } | undefined;
    if (node?.range) {
      const pos = lineCounter.linePos(node.range[0]);
      return `${pos.line}:${pos.col}`;
    }
  }
  return '1:1';
}

/** Relative to the config file; a leading ~/ is the home directory, as in a shell. */
export function resolvePath(dir: string, p: string): string {
  if (p === '~' || p.startsWith('~/')) return path.join(os.homedir(), p.slice(1));
  return path.resolve(dir, p);
}

const dotted = (keyPath: Array<string | number>) => keyPath.map(String).join('.');
const firstLine = (text: string) => text.split('\n')[0]!;
