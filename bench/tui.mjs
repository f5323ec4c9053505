#!/usr/bin/env node
// The TUI's cost in a real terminal (tmux): its CPU % and the bytes per second it writes to the terminal,
// median of 1-second samples over SECONDS (default 30), first while one service prints ~20,000 lines/s,
// then with every service idle (only clocks and CPU/memory figures changing).
// Usage: node bench/tui.mjs [SECONDS]
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { CLI, cpuAndRss, freePorts, makeStack, median, ROOT, sleep } from './lib.mjs';

const seconds = Number(process.argv[2] ?? 30);
const [p1, p2] = await freePorts(2);
const node = JSON.stringify(process.execPath);
const fx = (n) => JSON.stringify(path.join(ROOT, 'test', 'fixtures', n));
const stack = makeStack((dir) => {
  fs.writeFileSync(path.join(dir, 'tiny.gguf'), 'GGUF');
  return `services:
  flood: { kind: process, command: [${node}, ${fx('flood.mjs')}, "100000000", "100", "2000"], readyAfter: 100ms, autostart: false }
  llama: { kind: llama-server, command: [${node}, ${fx('fake-llama-server.mjs')}], model: ./tiny.gguf, port: ${p1} }
  ollama: { kind: ollama, command: [${node}, ${fx('fake-ollama.mjs')}], port: ${p2} }
`;
});
const session = `bench-${process.pid}`;
const tmux = (...args) => execFileSync('tmux', ['-L', session, ...args], { encoding: 'utf8' });
const out = path.join(stack.dir, 'terminal-output.bin');
try {
  stack.cli('start', 'llama', 'ollama');
  tmux('new-session', '-d', '-s', session, '-x', '120', '-y', '40', '-e', `XDG_STATE_HOME=${stack.env.XDG_STATE_HOME}`, '-e', `XDG_RUNTIME_DIR=${stack.env.XDG_RUNTIME_DIR}`, `${process.execPath} ${CLI} --config ${stack.configFile}`);
  tmux('pipe-pane', '-o', '-t', session, `cat >> ${out}`);
  const pid = Number(tmux('display-message', '-p', '-t', session, '#{pane_pid}').trim());
  await sleep(3000);
  const measure = async (label) => {
    const cpu = [];
    const bytes = [];
    let prev = { ...cpuAndRss(pid), size: fs.existsSync(out) ? fs.statSync(out).size : 0, at: Date.now() };
    for (let i = 0; i < seconds; i++) {
      await sleep(1000);
      const now = { ...cpuAndRss(pid), size: fs.statSync(out).size, at: Date.now() };
      const dt = (now.at - prev.at) / 1000;
      cpu.push(((now.cpuSeconds - prev.cpuSeconds) / dt) * 100);
      bytes.push((now.size - prev.size) / dt);
      prev = now;
    }
    console.log(`${label}: TUI CPU median ${median(cpu).toFixed(1)} % of a core (max ${Math.max(...cpu).toFixed(1)}), terminal output median ${(median(bytes) / 1024).toFixed(2)} KB/s (max ${(Math.max(...bytes) / 1024).toFixed(2)}), RSS ${(prev.rss / 1048576).toFixed(0)} MB`);
  };
  await measure(`idle, ${seconds} s`);
  stack.cli('start', 'flood');
  // the flood service is the first row, selected at start: its log fills the pane
  await sleep(2000);
  const file = JSON.parse(stack.cli('status', '--json')).services[0].logFile;
  const l0 = fs.statSync(file).size;
  await measure(`flood, ${seconds} s`);
  const rate = (fs.statSync(file).size - l0) / 13 / seconds; // "line NNNNNNN\n" is 13 bytes
  console.log(`flood rate while measuring: ${Math.round(rate)} lines/s`);
} finally {
  try { tmux('kill-server'); } catch {}
  stack.cleanup();
}
