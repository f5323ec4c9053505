#!/usr/bin/env node
// Side by side in one run, llama-top against pm2 7 (installed from npm into a cached temporary prefix):
//  1. `llama-top status --json` and `pm2 jlist` wall time (median of 20), each as a ratio to a bare `node -e 0`;
//  2. the llama-top daemon's and pm2's God daemon's CPU and RSS over the same SECONDS (default 60), each supervising
//     the same three demo services (llama-top with tree metrics and health checks on).
// Usage: node bench/status-and-idle.mjs [SECONDS]
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { cpuAndRss, demoCommands, demoServices, freePorts, makeStack, median, npmTool, sleep, timeMs, CLI } from './lib.mjs';

const seconds = Number(process.argv[2] ?? 60);
const pm2Bin = path.join(npmTool('pm2@7'), 'node_modules', 'pm2', 'bin', 'pm2');
const pm2Home = fs.mkdtempSync(path.join(os.tmpdir(), 'llama-top-bench-pm2-'));
const pm2 = (...args) => {
  const r = spawnSync(process.execPath, [pm2Bin, ...args], { env: { ...process.env, PM2_HOME: pm2Home }, encoding: 'utf8' });
  if (r.status !== 0) throw new Error(`pm2 ${args.join(' ')} failed: ${r.stderr}`);
  return r.stdout;
};
const stack = makeStack(demoServices(await freePorts(3)));
try {
  stack.cli('start');
  for (const svc of demoCommands(await freePorts(3))) {
    const r = spawnSync(process.execPath, [pm2Bin, 'start', svc.argv[0], '--name', svc.name, ...(svc.argv.length > 1 ? ['--', ...svc.argv.slice(1)] : [])], { env: { ...process.env, ...svc.env, PM2_HOME: pm2Home }, encoding: 'utf8' });
    if (r.status !== 0) throw new Error(`pm2 start ${svc.name} failed: ${r.stderr}`);
  }
  const bare = [];
  const status = [];
  const jlist = [];
  for (let i = 0; i < 20; i++) {
    bare.push(timeMs(() => spawnSync(process.execPath, ['-e', '0'])));
    status.push(timeMs(() => spawnSync(process.execPath, [CLI, 'status', '--json', '--config', stack.configFile], { env: stack.env })));
    jlist.push(timeMs(() => pm2('jlist')));
  }
  const ratio = (xs) => `median ${median(xs).toFixed(1)} ms  (${(median(xs) / median(bare)).toFixed(2)}x node -e 0)`;
  console.log(`node -e 0:               median ${median(bare).toFixed(1)} ms`);
  console.log(`llama-top status --json: ${ratio(status)}`);
  console.log(`pm2 jlist:               ${ratio(jlist)}`);
  const daemons = {
    'llama-top daemon': JSON.parse(stack.cli('daemon', 'status', '--json')).pid,
    'pm2 God daemon': Number(fs.readFileSync(path.join(pm2Home, 'pm2.pid'), 'utf8')),
  };
  const before = Object.fromEntries(Object.entries(daemons).map(([k, pid]) => [k, cpuAndRss(pid)]));
  const maxRss = Object.fromEntries(Object.entries(before).map(([k, v]) => [k, v.rss]));
  const t0 = Date.now();
  while (Date.now() - t0 < seconds * 1000) {
    await sleep(1000);
    for (const [k, pid] of Object.entries(daemons)) maxRss[k] = Math.max(maxRss[k], cpuAndRss(pid).rss);
  }
  const elapsed = (Date.now() - t0) / 1000;
  // The per-service log writers (logs/log-writer.js): the price of logs that stay bounded while no daemon runs.
  const writers = fs.readdirSync('/proc').filter((p) => /^\d+$/.test(p)).filter((p) => {
    try {
      return fs.readFileSync(`/proc/${p}/cmdline`, 'utf8').includes('log-writer.js') && fs.readFileSync(`/proc/${p}/cmdline`, 'utf8').includes(stack.dir);
    } catch {
      return false;
    }
  });
  // RSS counts node's own code, shared with every node process; what each writer adds is its private memory.
  const kb = (pid, field) => Number(new RegExp(`^${field}:\\s+(\\d+)`, 'm').exec(fs.readFileSync(`/proc/${pid}/smaps_rollup`, 'utf8'))?.[1] ?? 0);
  const each = writers.map((p) => `${(kb(p, 'Rss') / 1024).toFixed(1)} MB RSS, ${((kb(p, 'Private_Clean') + kb(p, 'Private_Dirty')) / 1024).toFixed(1)} MB private`);
  console.log(`log writers:       ${writers.length}: ${each.join('; ')}`);
  for (const [k, pid] of Object.entries(daemons)) {
    const after = cpuAndRss(pid);
    const cpu = ((after.cpuSeconds - before[k].cpuSeconds) / elapsed) * 100;
    console.log(`${k.padEnd(17)} idle over ${elapsed.toFixed(0)} s, 3 services: ${cpu.toFixed(3)} % of a core, RSS ${(after.rss / 1048576).toFixed(1)} MB (max ${(maxRss[k] / 1048576).toFixed(1)} MB)`);
  }
} finally {
  try {
    pm2('kill');
  } finally {
    fs.rmSync(pm2Home, { recursive: true, force: true });
    stack.cleanup();
  }
}
