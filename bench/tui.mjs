#!/usr/bin/env node
// What a TUI costs while it follows a flood, side by side in one run, each in a real terminal (tmux, 120×40):
// llama-top (local, and over --remote through a loopback sshd), mprocs 0.9 and `pm2 monit` (pm2 7), the last two
// installed from npm into a cached temporary prefix. The watched service prints 20,000 lines/s of 42 characters.
// For each, over SECONDS: the CPU of the UI's process tree as % of a core (CPU time / wall time), its peak RSS, the
// bytes per second it writes to the terminal (tmux pipe-pane), and for --remote the bytes per second over the ssh
// connection (ss).
// Then the same with nothing printing (idle). The supervisors' own daemons are measured apart.
// Usage: node bench/tui.mjs [SECONDS] [ONLY]   (default 20 s per measurement; ONLY: llama-top, mprocs or pm2)
import { execFileSync, spawn } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { CLI, cpuAndRss, fixture, freePorts, makeStack, npmTool, sleep } from './lib.mjs';

const seconds = Number(process.argv[2] ?? 20);
const only = process.argv[3] ?? null;
const runs = (tool) => only === null || only === tool;
const node = process.execPath;
// 2,000 lines every 100 ms = 20,000 lines/s; 43 bytes per line with its newline.
const FLOOD = [node, fixture('flood.mjs'), '100000000', '100', '2000', '43'];
const IDLE = ['sleep', '100000'];
const COLUMNS = 120;
const ROWS = 40;
const rows = [];

/** Every pid under `root`, root included. */
function tree(root) {
  const children = new Map();
  for (const entry of fs.readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const stat = fs.readFileSync(`/proc/${entry}/stat`, 'utf8');
      const ppid = Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]);
      children.set(ppid, [...(children.get(ppid) ?? []), Number(entry)]);
    } catch {}
  }
  const out = [root];
  for (let i = 0; i < out.length; i++) out.push(...(children.get(out[i]) ?? []));
  return out;
}
const treeUsage = (root, except = () => false) =>
  tree(root).filter((p) => !except(p)).reduce((sum, pid) => {
    try {
      const u = cpuAndRss(pid);
      return { cpuSeconds: sum.cpuSeconds + u.cpuSeconds, rss: sum.rss + u.rss };
    } catch {
      return sum;
    }
  }, { cpuSeconds: 0, rss: 0 });

/** A UI in a tmux pane of its own: its pid, and the file the pane's output is copied to. */
function openPane(name, command, env = {}) {
  const server = `bench-${process.pid}-${name}`;
  const tmux = (...args) => execFileSync('tmux', ['-L', server, ...args], { encoding: 'utf8' });
  const out = path.join(os.tmpdir(), `${server}.out`);
  const envArgs = Object.entries(env).flatMap(([k, v]) => ['-e', `${k}=${v}`]);
  tmux('new-session', '-d', '-s', server, '-x', String(COLUMNS), '-y', String(ROWS), ...envArgs, `exec ${command}`);
  tmux('pipe-pane', '-o', '-t', server, `cat >> ${out}`);
  const pid = Number(tmux('display-message', '-p', '-t', server, '#{pane_pid}').trim());
  return { pid, out, screen: () => tmux('capture-pane', '-p', '-t', server), close: () => { try { tmux('kill-server'); } catch {} fs.rmSync(out, { force: true }); } };
}

/** Bytes received so far by the local end of TCP connections to `port` (the ssh link), from `ss -ti`. */
function linkBytes(port) {
  const text = execFileSync('ss', ['-tin', 'dst', `127.0.0.1:${port}`], { encoding: 'utf8' });
  return [...text.matchAll(/bytes_received:(\d+)/g)].reduce((sum, m) => sum + Number(m[1]), 0);
}

async function measure(label, pane, { daemonPid = null, sshPort = null, except } = {}) {
  const size = () => (fs.existsSync(pane.out) ? fs.statSync(pane.out).size : 0);
  const cpu = [], bytes = [], link = [], daemonCpu = [];
  let prev = { ...treeUsage(pane.pid, except), size: size(), link: sshPort ? linkBytes(sshPort) : 0, daemon: daemonPid ? cpuAndRss(daemonPid).cpuSeconds : 0, at: Date.now() };
  let rss = 0;
  for (let i = 0; i < seconds; i++) {
    await sleep(1000);
    const now = { ...treeUsage(pane.pid, except), size: size(), link: sshPort ? linkBytes(sshPort) : 0, daemon: daemonPid ? cpuAndRss(daemonPid).cpuSeconds : 0, at: Date.now() };
    const dt = (now.at - prev.at) / 1000;
    cpu.push(((now.cpuSeconds - prev.cpuSeconds) / dt) * 100);
    bytes.push((now.size - prev.size) / dt);
    link.push((now.link - prev.link) / dt);
    daemonCpu.push(((now.daemon - prev.daemon) / dt) * 100);
    rss = Math.max(rss, now.rss);
    prev = now;
  }
  const mean = (xs) => xs.reduce((a, b) => a + b, 0) / xs.length;
  const row = { label, cpu: mean(cpu), rss: rss / 2 ** 20, kbps: mean(bytes) / 1024, link: sshPort ? mean(link) / 1024 : null, daemon: daemonPid ? mean(daemonCpu) : null };
  rows.push(row);
  console.log(`${label.padEnd(34)} CPU ${row.cpu.toFixed(1).padStart(5)} %  RSS ${row.rss.toFixed(0).padStart(4)} MB  terminal ${row.kbps.toFixed(2).padStart(6)} KB/s${row.link === null ? '' : `  ssh link ${row.link.toFixed(2)} KB/s`}${row.daemon === null ? '' : `  (its daemon ${row.daemon.toFixed(1)} %)`}`);
}

async function until(what, check, ms = 30_000) {
  const end = Date.now() + ms;
  while (!check()) {
    if (Date.now() > end) throw new Error(`bench: timed out waiting for ${what}`);
    await sleep(100);
  }
}

// ── llama-top ────────────────────────────────────────────────────────────────────────────────────────────────
const [p1, p2] = await freePorts(2);
const q = (argv) => `[${argv.map((a) => JSON.stringify(a)).join(', ')}]`;
// The same three processes under every tool: the flood, and two that sleep. A fourth stack entry, the demo's fake
// llama-server and ollama (node processes whose CPU and memory figures move, and which llama-top samples for
// tokens/s), is measured idle apart: there the screen has something to redraw every few seconds.
const stack = makeStack(() => `services:
  flood: { kind: process, command: ${q(FLOOD)}, readyAfter: 100ms, autostart: false }
  llama: { kind: process, command: ${q(IDLE)}, readyAfter: 100ms }
  ollama: { kind: process, command: ${q(IDLE)}, readyAfter: 100ms }
  fake-llama: { kind: llama-server, command: ${q([node, fixture('fake-llama-server.mjs')])}, model: ${JSON.stringify(fixture('tiny-llama.gguf'))}, port: ${p1}, autostart: false }
  fake-ollama: { kind: ollama, command: ${q([node, fixture('fake-ollama.mjs')])}, port: ${p2}, autostart: false }
`);
const tuiEnv = { XDG_STATE_HOME: stack.env.XDG_STATE_HOME, XDG_RUNTIME_DIR: stack.env.XDG_RUNTIME_DIR, TERM: 'xterm-256color' };
let sshd = null;
if (runs('llama-top')) try {
  stack.cli('start', 'llama', 'ollama');
  // Idle is measured once the services have run a minute: the screen's uptimes then count minutes, as on a box
  // left running (in the first minute they count seconds, and the row redraws at every 2-s sample).
  const settled = Date.now() + 65_000;
  const daemonPid = JSON.parse(stack.cli('daemon', 'status', '--json')).pid;
  // Run as users run it: the installed `llama-top` is bin/llama-top.js through its #! line (with its node flags).
  const local = openPane('llama-top', `${CLI} --config ${stack.configFile}`, { ...tuiEnv, PATH: `${path.dirname(node)}:${process.env.PATH}` });
  try {
    await until('the llama-top TUI', () => /● ollama/.test(local.screen()));
    await sleep(Math.max(5000, settled - Date.now())); // past start-up (module loading, first renders)
    await measure('llama-top, idle', local, { daemonPid });
    stack.cli('start', 'flood');
    await until('the flood in the log pane', () => /line \d{7}/.test(local.screen()));
    await measure('llama-top, following the flood', local, { daemonPid });
    stack.cli('stop', 'flood');
    stack.cli('start', 'fake-llama', 'fake-ollama');
    await sleep(65_000); // their uptimes count minutes too
    await measure('llama-top, idle, fake LLM servers', local, { daemonPid });
    stack.cli('stop', 'fake-llama', 'fake-ollama');
  } finally {
    local.close();
  }

  // ── llama-top over --remote (a loopback sshd: the bytes over the link are real ssh bytes) ──
  const sshdBin = ['/usr/sbin/sshd', '/usr/bin/sshd'].find((p) => fs.existsSync(p));
  if (!sshdBin || process.getuid() !== 0) console.log('llama-top --remote: skipped (needs root and sshd on this machine to run a loopback sshd)');
  else {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'llama-top-bench-ssh-'));
    const [port] = await freePorts(1);
    execFileSync('ssh-keygen', ['-q', '-t', 'ed25519', '-N', '', '-f', path.join(dir, 'key')]);
    execFileSync('ssh-keygen', ['-q', '-t', 'ed25519', '-N', '', '-f', path.join(dir, 'host_key')]);
    fs.mkdirSync('/run/sshd', { recursive: true, mode: 0o755 });
    fs.writeFileSync(path.join(dir, 'sshd_config'), `Port ${port}\nListenAddress 127.0.0.1\nHostKey ${dir}/host_key\nAuthorizedKeysFile ${dir}/key.pub\nPermitRootLogin prohibit-password\nPasswordAuthentication no\nUsePAM no\nStrictModes no\nPidFile ${dir}/sshd.pid\nLogLevel ERROR\n`);
    fs.writeFileSync(path.join(dir, 'ssh_config'), `Host box\n  HostName 127.0.0.1\n  Port ${port}\n  User root\n  IdentityFile ${dir}/key\n  StrictHostKeyChecking no\n  UserKnownHostsFile /dev/null\n  LogLevel ERROR\n`);
    sshd = { proc: spawn(sshdBin, ['-D', '-e', '-f', path.join(dir, 'sshd_config')], { stdio: 'ignore' }), dir };
    await sleep(500);
    const remoteBin = `env XDG_STATE_HOME=${stack.env.XDG_STATE_HOME} XDG_RUNTIME_DIR=${stack.env.XDG_RUNTIME_DIR} ${node} ${CLI}`;
    const remote = openPane('remote', `${CLI} --remote box --remote-bin '${remoteBin}' --config ${stack.configFile}`, { TERM: 'xterm-256color', LLAMA_TOP_SSH: `ssh -F ${dir}/ssh_config`, PATH: `${path.dirname(node)}:${process.env.PATH}` });
    const isSsh = (pid) => { try { return fs.readFileSync(`/proc/${pid}/comm`, 'utf8').trim() === 'ssh'; } catch { return false; } };
    try {
      await until('the remote TUI', () => /● ollama/.test(remote.screen()));
      await sleep(65_000); // past its start-up, as long as the local TUI had (module loading, compiling, the first collections)
      await measure('llama-top --remote, idle', remote, { daemonPid, sshPort: port, except: isSsh });
      stack.cli('start', 'flood');
      await until('the flood in the remote log pane', () => /line \d{7}/.test(remote.screen()));
      await measure('llama-top --remote, the flood', remote, { daemonPid, sshPort: port, except: isSsh });
      await measure('  the same, with its ssh client', remote, { sshPort: port });
      stack.cli('stop', 'flood');
    } finally {
      remote.close();
    }
  }
} finally {
  stack.cleanup();
  if (sshd) {
    sshd.proc.kill();
    fs.rmSync(sshd.dir, { recursive: true, force: true });
  }
}

// ── mprocs ───────────────────────────────────────────────────────────────────────────────────────────────────
if (runs('mprocs')) {
  const prefix = npmTool('mprocs@0.9');
  const bin = fs.readdirSync(path.join(prefix, 'node_modules', 'mprocs')).filter((d) => d.includes('linux-x86_64')).map((d) => path.join(prefix, 'node_modules', 'mprocs', d, 'mprocs'))[0];
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'llama-top-bench-mprocs-'));
  const config = (first) => {
    const file = path.join(dir, `${first === FLOOD ? 'flood' : 'idle'}.yaml`);
    fs.writeFileSync(file, `procs:\n  flood: { cmd: ${q(first)} }\n  llama: { cmd: ${q(IDLE)} }\n  ollama: { cmd: ${q(IDLE)} }\n`);
    return file;
  };
  // mprocs runs its processes in its own ptys: what it costs includes them; the flood process itself is left out.
  const notTheService = (pid) => { try { return fs.readFileSync(`/proc/${pid}/cmdline`, 'utf8').includes('flood.mjs') || fs.readFileSync(`/proc/${pid}/comm`, 'utf8').trim() === 'sleep'; } catch { return false; } };
  for (const [label, first] of [['mprocs, idle', IDLE], ['mprocs, following the flood', FLOOD]]) {
    const pane = openPane(`mprocs-${first === FLOOD ? 'f' : 'i'}`, `${bin} --config ${config(first)}`, { TERM: 'xterm-256color' });
    try {
      await until('mprocs', () => /ollama/.test(pane.screen()));
      if (first === FLOOD) await until('the flood in mprocs', () => /line \d{7}/.test(pane.screen()));
      await sleep(2000);
      await measure(label, pane, { except: notTheService });
    } finally {
      pane.close();
    }
  }
  fs.rmSync(dir, { recursive: true, force: true });
}

// ── pm2 monit ────────────────────────────────────────────────────────────────────────────────────────────────
if (runs('pm2')) {
  const pm2Bin = path.join(npmTool('pm2@7'), 'node_modules', 'pm2', 'bin', 'pm2');
  const pm2Home = fs.mkdtempSync(path.join(os.tmpdir(), 'llama-top-bench-pm2-'));
  const env = { ...process.env, PM2_HOME: pm2Home };
  const pm2 = (...args) => execFileSync(node, [pm2Bin, ...args], { env, encoding: 'utf8' });
  try {
    pm2('start', IDLE[0], '--name', 'llama', '--', ...IDLE.slice(1));
    pm2('start', IDLE[0], '--name', 'ollama', '--', ...IDLE.slice(1));
    const god = Number(fs.readFileSync(path.join(pm2Home, 'pm2.pid'), 'utf8'));
    for (const flooding of [false, true]) {
      if (flooding) pm2('start', FLOOD[1], '--name', 'flood', '--', ...FLOOD.slice(2));
      const pane = openPane(`pm2-${flooding ? 'f' : 'i'}`, `${node} ${pm2Bin} monit`, { PM2_HOME: pm2Home, TERM: 'xterm-256color' });
      try {
        await until('pm2 monit', () => /ollama/.test(pane.screen()));
        if (flooding) await until('the flood in pm2 monit', () => /line \d{7}/.test(pane.screen()));
        await sleep(2000);
        await measure(flooding ? 'pm2 monit, following the flood' : 'pm2 monit, idle', pane, { daemonPid: god });
      } finally {
        pane.close();
      }
    }
  } finally {
    try { pm2('kill'); } catch {}
    fs.rmSync(pm2Home, { recursive: true, force: true });
  }
}

console.log('\n| | CPU (% of a core) | RSS | to the terminal | over ssh | its daemon |');
console.log('|---|---|---|---|---|---|');
for (const r of rows) console.log(`| ${r.label.trim()} | ${r.cpu.toFixed(1)} % | ${r.rss.toFixed(0)} MB | ${r.kbps.toFixed(2)} KB/s | ${r.link === null ? '–' : `${r.link.toFixed(2)} KB/s`} | ${r.daemon === null ? '–' : `${r.daemon.toFixed(1)} %`} |`);
