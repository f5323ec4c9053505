#!/usr/bin/env node
// `status --json` wall time (median of 20) against a bare `node -e 0`, then the daemon's CPU and RSS
// while it supervises the three demo services for SECONDS (default 60) with tree metrics on.
// Usage: node bench/status-and-idle.mjs [SECONDS]
import { spawnSync } from 'node:child_process';
import { cpuAndRss, demoServices, freePorts, makeStack, median, sleep, timeMs, CLI } from './lib.mjs';

const seconds = Number(process.argv[2] ?? 60);
const stack = makeStack(demoServices(await freePorts(3)));
try {
  stack.cli('start');
  const bare = [];
  const status = [];
  for (let i = 0; i < 20; i++) {
    bare.push(timeMs(() => spawnSync(process.execPath, ['-e', '0'])));
    status.push(timeMs(() => spawnSync(process.execPath, [CLI, 'status', '--json', '--config', stack.configFile], { env: stack.env })));
  }
  const daemon = JSON.parse(stack.cli('daemon', 'status', '--json')).pid;
  console.log(`node -e 0:             median ${median(bare).toFixed(1)} ms`);
  console.log(`llama-top status --json: median ${median(status).toFixed(1)} ms  (${(median(status) / median(bare)).toFixed(2)}x node -e 0)`);
  const before = cpuAndRss(daemon);
  const t0 = Date.now();
  let maxRss = before.rss;
  while (Date.now() - t0 < seconds * 1000) {
    await sleep(1000);
    maxRss = Math.max(maxRss, cpuAndRss(daemon).rss);
  }
  const after = cpuAndRss(daemon);
  const elapsed = (Date.now() - t0) / 1000;
  console.log(`daemon idle over ${elapsed.toFixed(0)} s, 3 services, metrics every 2 s: ${(((after.cpuSeconds - before.cpuSeconds) / elapsed) * 100).toFixed(3)} % of a core, RSS ${(after.rss / 1048576).toFixed(1)} MB (max ${(maxRss / 1048576).toFixed(1)} MB)`);
} finally {
  stack.cleanup();
}
