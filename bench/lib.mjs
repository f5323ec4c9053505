// Shared helpers for the benchmarks: a temporary stack of fixture services, CLI runs, /proc readings.
import { execFileSync, spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

export const ROOT = fileURLToPath(new URL('../', import.meta.url));
export const CLI = path.join(ROOT, 'bin', 'llama-top.js');
export const fixture = (name) => path.join(ROOT, 'test', 'fixtures', name);
const CLK_TCK = Number(execFileSync('getconf', ['CLK_TCK'], { encoding: 'utf8' }).trim()) || 100;

export function makeStack(servicesYaml) {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'llama-top-bench-'));
  const env = { ...process.env, XDG_STATE_HOME: path.join(dir, 'state'), XDG_RUNTIME_DIR: path.join(dir, 'run') };
  fs.mkdirSync(env.XDG_RUNTIME_DIR, { mode: 0o700 });
  const configFile = path.join(dir, 'llama-top.yaml');
  fs.writeFileSync(configFile, servicesYaml(dir));
  const cli = (...args) => {
    const r = spawnSync(process.execPath, [CLI, ...args, '--config', configFile], { env, encoding: 'utf8' });
    if (r.status !== 0) throw new Error(`llama-top ${args.join(' ')} failed (${r.status}): ${r.stderr}${r.stdout}`);
    return r.stdout;
  };
  return { dir, env, configFile, cli, cleanup: () => { try { cli('daemon', 'stop', '--all'); } finally { fs.rmSync(dir, { recursive: true, force: true }); } } };
}

export const demoServices = (ports) => () => {
  const node = JSON.stringify(process.execPath);
  return `services:
  llama: { kind: llama-server, command: [${node}, ${JSON.stringify(fixture('fake-llama-server.mjs'))}], model: ${JSON.stringify(fixture('tiny-llama.gguf'))}, port: ${ports[0]} }
  ollama: { kind: ollama, command: [${node}, ${JSON.stringify(fixture('fake-ollama.mjs'))}], port: ${ports[1]} }
  chat: { kind: app, command: [${node}, ${JSON.stringify(fixture('fake-chat-app.mjs'))}], port: ${ports[2]}, health: { http: /health }, dependsOn: [llama] }
`;
};

/** CPU seconds (nanosecond schedstat of every thread; clock ticks where unavailable) and RSS of one process. */
export function cpuAndRss(pid) {
  const stat = fs.readFileSync(`/proc/${pid}/stat`, 'utf8');
  const f = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  let cpuSeconds = (Number(f[11]) + Number(f[12])) / CLK_TCK;
  try {
    let ns = 0;
    for (const tid of fs.readdirSync(`/proc/${pid}/task`)) ns += Number(fs.readFileSync(`/proc/${pid}/task/${tid}/schedstat`, 'utf8').split(' ')[0]);
    cpuSeconds = ns / 1e9;
  } catch {
    // no schedstat: ticks it is
  }
  return { cpuSeconds, rss: Number(f[21]) * 4096 };
}

export function timeMs(fn) {
  const t = process.hrtime.bigint();
  fn();
  return Number(process.hrtime.bigint() - t) / 1e6;
}

export const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];

export async function freePorts(n) {
  const net = await import('node:net');
  const ports = [];
  for (let i = 0; i < n; i++)
    ports.push(await new Promise((resolve) => { const s = net.createServer().listen(0, '127.0.0.1', () => { const p = s.address().port; s.close(() => resolve(p)); }); }));
  return ports;
}

export const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

/**
 * Installs an npm package (e.g. "pm2@7") into a cached temporary prefix, once per machine, and returns the prefix.
 * The comparison tools are never dependencies of llama-top.
 */
export function npmTool(spec) {
  const prefix = path.join(os.homedir(), '.cache', 'llama-top-bench', spec.replace(/[^\w.@-]/g, '_'));
  if (!fs.existsSync(path.join(prefix, 'node_modules'))) {
    fs.mkdirSync(prefix, { recursive: true });
    const r = spawnSync('npm', ['install', '--no-audit', '--no-fund', '--prefix', prefix, spec], { encoding: 'utf8' });
    if (r.status !== 0) throw new Error(`npm install ${spec} failed: ${r.stderr}`);
  }
  return prefix;
}

/** The three demo services' command lines (what llama-top runs for demoServices), for another supervisor. */
export const demoCommands = (ports) => {
  return [
    { name: 'llama', argv: [fixture('fake-llama-server.mjs'), '--model', fixture('tiny-llama.gguf'), '--port', String(ports[0]), '--host', '127.0.0.1'], env: {} },
    { name: 'ollama', argv: [fixture('fake-ollama.mjs')], env: { OLLAMA_HOST: `127.0.0.1:${ports[1]}` } },
    { name: 'chat', argv: [fixture('fake-chat-app.mjs'), '--port', String(ports[2])], env: {} },
  ];
};
