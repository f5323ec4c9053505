#!/usr/bin/env node
// The 144 MB flood: 1,440,000 numbered lines of 100 bytes written as fast as the service can, with logs.maxBytes
// 20MB. Side by side in one run: the same flood into a plain file (`flood.mjs > file`, no rotation, no llama-top),
// time until the last line is on disk, peak disk use of the service's logs, lines kept in order, daemon CPU meanwhile.
// Usage: node bench/flood.mjs [LINES]
import { execSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { cpuAndRss, fixture, makeStack, sleep, timeMs } from './lib.mjs';

const lines = Number(process.argv[2] ?? 1_440_000);
const WIDTH = 100;
const stack = makeStack(() => `logs: { dir: ./logs, maxBytes: 20MB, maxFiles: 10 }
services:
  flood: { kind: process, command: [${JSON.stringify(process.execPath)}, ${JSON.stringify(fixture('flood.mjs'))}, "${lines}", "0", "10000", "${WIDTH}"], readyAfter: 10ms, autostart: false }
`);
const chunks = (dir) => (fs.existsSync(dir) ? fs.readdirSync(dir).filter((f) => f.endsWith('.log') || f.endsWith('.idx')).sort() : []);
const dirBytes = (dir) => chunks(dir).reduce((sum, f) => sum + (fs.statSync(path.join(dir, f), { throwIfNoEntry: false })?.size ?? 0), 0);
try {
  const plain = path.join(stack.dir, 'plain.txt');
  const plainMs = timeMs(() => execSync(`${JSON.stringify(process.execPath)} ${JSON.stringify(fixture('flood.mjs'))} ${lines} 0 10000 ${WIDTH} > ${plain} & pid=$!; while ! grep -q 'flood: wrote' ${plain} 2>/dev/null; do sleep 0.01; done; kill $pid`, { shell: '/bin/bash' }));
  const plainBytes = fs.statSync(plain).size;
  stack.cli('status'); // starts the daemon
  const daemon = JSON.parse(stack.cli('daemon', 'status', '--json')).pid;
  const before = cpuAndRss(daemon);
  const t0 = process.hrtime.bigint();
  stack.cli('start', 'flood', '--no-wait');
  let dir = null;
  let peak = 0;
  for (;;) {
    dir ??= JSON.parse(stack.cli('status', '--json')).services[0].logDir;
    if (dir) {
      peak = Math.max(peak, dirBytes(dir));
      const last = chunks(dir).filter((f) => f.endsWith('.log')).at(-1);
      if (last && fs.readFileSync(path.join(dir, last), 'utf8').includes('flood: wrote')) break;
    }
    await sleep(5);
  }
  const ms = Number(process.hrtime.bigint() - t0) / 1e6;
  const after = cpuAndRss(daemon);
  const kept = chunks(dir).filter((f) => f.endsWith('.log')).map((f) => fs.readFileSync(path.join(dir, f), 'utf8')).join('').split('\n').filter((l) => l.startsWith('line '));
  let consecutive = true;
  for (let i = 1; i < kept.length; i++) if (Number(kept[i].slice(5, 12)) !== Number(kept[i - 1].slice(5, 12)) + 1) consecutive = false;
  console.log(`flood of ${lines} lines (${(plainBytes / 1e6).toFixed(0)} MB):`);
  console.log(`  into a plain file (no llama-top, no rotation): ${plainMs.toFixed(0)} ms, ${(plainBytes / 2 ** 20).toFixed(0)} MiB on disk`);
  console.log(`  through llama-top's log writer, maxBytes 20MB: ${ms.toFixed(0)} ms (start request and polling included) = ${(ms / plainMs).toFixed(2)}x`);
  console.log(`  peak disk of the service's logs: ${(peak / 2 ** 20).toFixed(1)} MiB (${(peak / (20 * 2 ** 20)).toFixed(2)}x maxBytes)`);
  console.log(`  lines kept: ${kept.length}, consecutive: ${consecutive}, last: ${kept.at(-1)?.slice(0, 12)}`);
  console.log(`  daemon CPU during the flood: ${(after.cpuSeconds - before.cpuSeconds).toFixed(2)} s`);
} finally {
  stack.cleanup();
}
