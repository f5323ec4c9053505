#!/usr/bin/env node
// How much of llama-server's log is llama-top's own asking: the lines a real llama-server (LLAMA_SERVER=path) adds in
// SECONDS with no client, then with the TUI open (tmux, 100×30), counted by request path. And how many of them
// `logs --no-probes` folds away.
// Usage: LLAMA_SERVER=/path/to/llama-server node bench/probe-lines.mjs [SECONDS]   (LLAMA_TOP_CLI: another build's bin)
import { execFileSync, spawnSync } from 'node:child_process';
import { CLI, fixture, freePorts, makeStack, sleep } from './lib.mjs';

const seconds = Number(process.argv[2] ?? 30);
const server = process.env.LLAMA_SERVER;
if (!server) throw new Error('set LLAMA_SERVER to the path of a real llama-server');
const cli = process.env.LLAMA_TOP_CLI ?? CLI;
const [port] = await freePorts(1);
const stack = makeStack(() => `services:
  llama: { kind: llama-server, command: ${JSON.stringify(server)}, model: ${JSON.stringify(fixture('tiny-llama.gguf'))}, port: ${port}, args: [-c, "256", -t, "1"] }
`);
const run = (...args) => {
  const r = spawnSync(process.execPath, [cli, ...args, '--config', stack.configFile], { env: stack.env, encoding: 'utf8' });
  if (r.status !== 0) throw new Error(`llama-top ${args.join(' ')} failed (${r.status}): ${r.stderr}${r.stdout}`);
  return r.stdout;
};
const lines = () => run('logs', 'llama', '-n', '1000000').split('\n').filter(Boolean);
const session = `tui-probe-bench-${process.pid}`;
const tmux = (...args) => execFileSync('tmux', ['-L', session, ...args], { encoding: 'utf8' });

/** The lines added between two readings, counted by what they are. */
function added(before, after) {
  const fresh = after.slice(before.length);
  const byPath = {};
  for (const line of fresh) {
    const m = /request: (\w+ \S+)/.exec(line);
    const key = m ? m[1] : 'other';
    byPath[key] = (byPath[key] ?? 0) + 1;
  }
  return { total: fresh.length, byPath };
}

try {
  run('start', 'llama');
  await sleep(3000);
  const t0 = lines();
  await sleep(seconds * 1000);
  const t1 = lines();
  const idle = added(t0, t1);
  tmux('new-session', '-d', '-s', session, '-x', '100', '-y', '30', '-e', `XDG_STATE_HOME=${stack.env.XDG_STATE_HOME}`, '-e', `XDG_RUNTIME_DIR=${stack.env.XDG_RUNTIME_DIR}`, `${process.execPath} ${cli} --config ${stack.configFile}`);
  await sleep(seconds * 1000);
  const t2 = lines();
  tmux('kill-server');
  const open = added(t1, t2);
  const shown = spawnSync(process.execPath, [cli, 'logs', 'llama', '-n', '1000000', '--no-probes', '--config', stack.configFile], { env: stack.env, encoding: 'utf8' });
  const folded = shown.status === 0 ? t2.length - shown.stdout.split('\n').filter(Boolean).length : null;
  console.log(`llama-server log lines added in ${seconds} s (${server})`);
  console.log(`  no client:    ${idle.total}  ${JSON.stringify(idle.byPath)}`);
  console.log(`  TUI open:     ${open.total}  ${JSON.stringify(open.byPath)}`);
  console.log(`  logs --no-probes folds ${folded ?? '(not supported by this build)'} of ${t2.length} lines`);
} finally {
  try {
    tmux('kill-server');
  } catch {
    // already gone
  }
  stack.cleanup();
}
