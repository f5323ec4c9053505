#!/usr/bin/env node
// How much llama-top's own asking adds to its services' logs while NO client watches (no TUI, no page): the lines
// a llama-server (the real one with LLAMA_SERVER=path, else the fixture), the fixture chat app and, with
// CHAT_O_LLAMA_DIR, the real Chat-O-Llama (Flask: werkzeug logs every request) gain in SECONDS, per minute and per
// hour. Two stacks run side by side in one run: another build (LLAMA_TOP_BEFORE=path/to/bin/llama-top.js) and this one.
// The apps use the health check `init` writes for them (`health: { http: / }`).
// Usage: LLAMA_SERVER=… CHAT_O_LLAMA_DIR=… LLAMA_TOP_BEFORE=… node bench/log-noise.mjs [SECONDS]
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { CLI, fixture, freePorts, makeStack, sleep } from './lib.mjs';

const seconds = Number(process.argv[2] ?? 240);
const server = process.env.LLAMA_SERVER || null;
const col = process.env.CHAT_O_LLAMA_DIR || null;
const builds = [...(process.env.LLAMA_TOP_BEFORE ? [['before', process.env.LLAMA_TOP_BEFORE]] : []), ['this build', CLI]];

async function stackFor(cli) {
  const [llamaPort, chatPort, colPort] = await freePorts(3);
  const node = JSON.stringify(process.execPath);
  const stack = makeStack((dir) => {
    let colService = '';
    if (col) {
      const config = JSON.parse(fs.readFileSync(path.join(col, 'config.json'), 'utf8'));
      config.server = { ...config.server, host: '127.0.0.1', port: colPort };
      fs.writeFileSync(path.join(dir, 'col-config.json'), JSON.stringify(config, null, 2));
      colService = `  colchat:
    kind: app
    command: [python3, app.py]
    cwd: ${JSON.stringify(col)}
    env: { CONFIG_FILE: ${JSON.stringify(path.join(dir, 'col-config.json'))}, DATABASE_PATH: ${JSON.stringify(path.join(dir, 'chat.db'))} }
    port: ${colPort}
    health: { http: / }
    startTimeout: 60s
`;
    }
    const llama = server ? `[${JSON.stringify(server)}]` : `[${node}, ${JSON.stringify(fixture('fake-llama-server.mjs'))}]`;
    return `services:
  llama: { kind: llama-server, command: ${llama}, model: ${JSON.stringify(fixture('tiny-llama.gguf'))}, port: ${llamaPort}, args: [-c, "256", -t, "1"] }
  chat: { kind: app, command: [${node}, ${JSON.stringify(fixture('fake-chat-app.mjs'))}], port: ${chatPort}, health: { http: / } }
${colService}`;
  });
  const run = (...args) => {
    const r = spawnSync(process.execPath, [cli, ...args, '--config', stack.configFile], { env: stack.env, encoding: 'utf8' });
    if (r.status !== 0) throw new Error(`llama-top ${args.join(' ')} failed (${r.status}): ${r.stderr}${r.stdout}`);
    return r.stdout;
  };
  const names = ['llama', 'chat', ...(col ? ['colchat'] : [])];
  const lines = (n) => run('logs', n, '-n', '1000000').split('\n').filter(Boolean);
  const count = () => Object.fromEntries(names.map((n) => [n, lines(n).length]));
  return { stack, run, names, count, lines };
}

const stacks = [];
try {
  for (const [label, cli] of builds) stacks.push({ label, ...(await stackFor(cli)) });
  for (const s of stacks) s.run('start');
  await sleep(5000); // past the start's own checks
  for (const s of stacks) s.t0 = s.count();
  await sleep(seconds * 1000);
  for (const s of stacks) s.t1 = s.count();
  // llama-server's added lines by what they are (request path, else the line without its numbers).
  const kinds = (s) => {
    const fresh = s.lines('llama').slice(s.t0.llama, s.t1.llama);
    const by = {};
    for (const l of fresh) {
      const key = /request: (\w+ \S+)/.exec(l)?.[1] ?? l.replace(/\d+/g, 'N').slice(0, 50);
      by[key] = (by[key] ?? 0) + 1;
    }
    return by;
  };
  console.log(`log lines added with no client in ${seconds} s (llama-server: ${server ?? 'fixture'}; Chat-O-Llama: ${col ?? 'not set'})`);
  for (const name of stacks[0].names) {
    const per = stacks.map((s) => (s.t1[name] - s.t0[name]) / seconds);
    const cells = stacks.map((s, i) => `${s.label}: ${s.t1[name] - s.t0[name]} (${(per[i] * 60).toFixed(1)}/min, ${Math.round(per[i] * 3600)}/h)`);
    const ratio = per.length === 2 && per[0] > 0 ? `  ratio ${(per[1] / per[0]).toFixed(2)}×` : '';
    console.log(`  ${name.padEnd(8)} ${cells.join('  |  ')}${ratio}`);
  }
  for (const s of stacks) console.log(`  llama-server, ${s.label}: ${JSON.stringify(kinds(s))}`);
} finally {
  for (const s of stacks) s.stack.cleanup();
}
