#!/usr/bin/env node
// A service writes 1,000,000 numbered lines as fast as it can: time until all are on disk, lines found,
// the daemon's CPU meanwhile; and, for scale, `seq 1 1000000 > file`.
// Usage: node bench/flood.mjs [LINES]
import { execSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { cpuAndRss, floodServices, makeStack, sleep, timeMs } from './lib.mjs';

const lines = Number(process.argv[2] ?? 1_000_000);
const stack = makeStack(floodServices(lines));
try {
  const seqMs = timeMs(() => execSync(`seq 1 ${lines} > ${path.join(stack.dir, 'seq.txt')}`));
  const nodeMs = timeMs(() => execSync(`${JSON.stringify(process.execPath)} -e "let t='';for(let i=1;i<=${lines};i++)t+='line '+String(i).padStart(7,'0')+'\\\\n';process.stdout.write(t)" > ${path.join(stack.dir, 'node.txt')}`));
  stack.cli('status'); // starts the daemon
  const daemon = JSON.parse(stack.cli('daemon', 'status', '--json')).pid;
  const before = cpuAndRss(daemon);
  const t0 = process.hrtime.bigint();
  stack.cli('start', 'flood', '--no-wait');
  let file = null;
  let count = 0;
  for (;;) {
    file ??= JSON.parse(stack.cli('status', '--json')).services[0].logFile;
    if (file && fs.existsSync(file) && fs.readFileSync(file, 'utf8').includes('flood: wrote')) break;
    await sleep(20);
  }
  const ms = Number(process.hrtime.bigint() - t0) / 1e6;
  const after = cpuAndRss(daemon);
  const text = fs.readFileSync(file, 'utf8').split('\n');
  let inOrder = true;
  for (const l of text) if (l.startsWith('line ')) { count++; if (l !== `line ${String(count).padStart(7, '0')}`) inOrder = false; }
  console.log(`seq 1 ${lines} > file:                ${seqMs.toFixed(0)} ms`);
  console.log(`node writing the same lines > file:   ${nodeMs.toFixed(0)} ms (process start included)`);
  console.log(`flood through llama-top (start→on disk, incl. the start request and polling): ${ms.toFixed(0)} ms`);
  console.log(`lines on disk: ${count} of ${lines}, in order: ${inOrder}`);
  console.log(`daemon CPU during the flood: ${(after.cpuSeconds - before.cpuSeconds).toFixed(2)} s (${(((after.cpuSeconds - before.cpuSeconds) / (ms / 1000)) * 100).toFixed(1)} % of a core)`);
} finally {
  stack.cleanup();
}
