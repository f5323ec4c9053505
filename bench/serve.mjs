#!/usr/bin/env node
// The serve endpoint's cost, side by side in one run against the same llama-server (the real one when LLAMA_SERVER
// names it, else the fixture):
//   1. 1-token completions straight to the server (on a kept connection, as most clients do, and on a fresh one per
//      request) vs through the endpoint and a bare Node proxy (interleaved, Nagle off on the client): median, p99,
//      answers that stalled 30+ ms (llama-server's Nagle meeting a delayed ACK), and what the endpoint adds;
//   2. a streamed answer's tokens per second straight vs through (interleaved), and the ratio;
//   3. a cold start: from the moment the server answers /health 200 (polled here every 2 ms) to the first byte of
//      the answer through the endpoint;
//   4. a group swap's time split into drain, stop, VRAM wait and load (from the serve log).
// Usage: [LLAMA_SERVER=path] node bench/serve.mjs [REQUESTS]
import http from 'node:http';
import fs from 'node:fs';
import path from 'node:path';
import { cpuAndRss, fixture, freePorts, makeStack, sleep } from './lib.mjs';

const N = Number(process.argv[2] ?? 400);
const REAL = process.env.LLAMA_SERVER || null;
const [alphaPort, betaPort, servePort, pacedPort] = await freePorts(4);
const command = REAL ? [REAL] : [process.execPath, fixture('fake-llama-server.mjs')];
const serverArgs = REAL ? ['-c', '512', '-t', '1'] : [];
const stack = makeStack((dir) => {
  fs.copyFileSync(fixture('tiny-llama.gguf'), path.join(dir, 'tiny.gguf'));
  const svc = (name, port) => `  ${name}:
    kind: llama-server
    command: ${JSON.stringify(command)}
    model: ./tiny.gguf
    port: ${port}
    autostart: false
    group: gpu0
    args: ${JSON.stringify(serverArgs)}
    health: { inference: false }`;
  // paced: the fixture generating 100 tokens/s, as a real model on a GPU streams (the tiny model streams ~2,500/s).
  return `serve: { listen: 127.0.0.1:${servePort} }
restart: { maxRetries: 0 }
services:
${svc('alpha', alphaPort)}
${svc('beta', betaPort)}
  paced:
    kind: llama-server
    command: ${JSON.stringify([process.execPath, fixture('fake-llama-server.mjs')])}
    model: ./tiny.gguf
    port: ${pacedPort}
    autostart: false
    args: [--tok-s, "100", --parallel, "2"]
    health: { inference: false }
`;
});

const agent = new http.Agent({ keepAlive: true, maxSockets: 4 });
/** One POST (sent again once when a kept connection was closed by the server as it was reused). */
const post = (port, urlPath, body, via = agent) => postOnce(port, urlPath, body, via).catch((error) => (error.reused ? postOnce(port, urlPath, body, via) : Promise.reject(error)));

/** One POST; resolves with the time to the end of the answer, to its first byte, and the body. */
function postOnce(port, urlPath, body, via) {
  return new Promise((resolve, reject) => {
    const data = Buffer.from(JSON.stringify(body));
    const t0 = process.hrtime.bigint();
    let first = null;
    const req = http.request({ host: '127.0.0.1', port, method: 'POST', path: urlPath, agent: via, headers: { 'content-type': 'application/json', 'content-length': data.length } }, (res) => {
      const chunks = [];
      res.on('data', (c) => {
        first ??= process.hrtime.bigint();
        chunks.push(c);
      });
      res.on('end', () => {
        const end = process.hrtime.bigint();
        resolve({ status: res.statusCode, ms: Number(end - t0) / 1e6, firstMs: Number((first ?? end) - t0) / 1e6, firstAt: first ?? end, text: Buffer.concat(chunks).toString() });
      });
    });
    req.on('socket', (s) => s.setNoDelay(true));
    req.on('error', (error) => reject(Object.assign(error, { reused: req.reusedSocket && !first })));
    req.end(data);
  });
}
const pct = (xs, p) => [...xs].sort((a, b) => a - b)[Math.min(xs.length - 1, Math.floor((xs.length * p) / 100))];
const f = (n) => n.toFixed(2);

try {
  stack.cli('start');
  const one = { prompt: 'Hello', n_predict: 1, max_tokens: 1, model: 'alpha' };
  const warm = await post(servePort, '/v1/completions', one);
  if (warm.status !== 200) throw new Error(`warm-up through the endpoint answered ${warm.status}: ${warm.text}`);
  for (let i = 0; i < 20; i++) await post(alphaPort, '/v1/completions', one);

  // A bare 20-line Node proxy to the same server (a fresh upstream connection per request as the endpoint's, Nagle
  // off, pipe) in a process of its own, as the daemon is: what any proxy adds on this machine, for comparison.
  const bareCode = `
    const http = require('node:http');
    const agent = false;
    const server = http.createServer((req, res) => {
      const chunks = [];
      req.on('data', (c) => chunks.push(c));
      req.on('end', () => {
        const body = Buffer.concat(chunks);
        JSON.parse(body).model;
        const up = http.request({ host: '127.0.0.1', port: ${alphaPort}, method: req.method, path: req.url, agent, headers: { 'content-type': 'application/json', 'content-length': body.length } }, (ans) => { res.writeHead(ans.statusCode, ans.headers); ans.pipe(res); });
        up.on('socket', (s) => s.setNoDelay(true));
        up.end(body);
      });
    });
    server.on('connection', (s) => s.setNoDelay(true));
    server.listen(0, '127.0.0.1', () => console.log(server.address().port));`;
  const { spawn } = await import('node:child_process');
  const bare = spawn(process.execPath, ['-e', bareCode], { stdio: ['ignore', 'pipe', 'inherit'] });
  const barePort = await new Promise((resolve) => bare.stdout.once('data', (d) => resolve(Number(String(d).trim()))));

  // 1. Added latency.
  const daemonPid = JSON.parse(stack.cli('daemon', 'status', '--json')).pid;
  // The daemon's background (health, sampling) over an idle stretch first, to take out of the per-request figure.
  const idleSeconds = 5;
  const idleStart = cpuAndRss(daemonPid).cpuSeconds;
  await sleep(idleSeconds * 1000);
  const background = (cpuAndRss(daemonPid).cpuSeconds - idleStart) / idleSeconds;
  const cpuBefore = cpuAndRss(daemonPid).cpuSeconds;
  const loopBegan = performance.now();
  const runs = { kept: [], fresh: [], bare: [], through: [] };
  const ways = [['kept', alphaPort, agent], ['fresh', alphaPort, false], ['bare', barePort, agent], ['through', servePort, agent]];
  for (let i = 0; i < N; i++) {
    for (let j = 0; j < ways.length; j++) {
      const [name, port, via] = ways[(i + j) % ways.length];
      const r = await post(port, '/v1/completions', one, via);
      if (r.status !== 200) throw new Error(`${name}: ${r.status} ${r.text}`);
      runs[name].push(r.ms);
    }
  }
  bare.kill();
  const loopSeconds = (performance.now() - loopBegan) / 1000;
  const cpuPerRequest = ((cpuAndRss(daemonPid).cpuSeconds - cpuBefore - background * loopSeconds) / N) * 1e6;
  const row = (label, xs) => `  ${label.padEnd(44)} median ${f(pct(xs, 50))} ms, p99 ${f(pct(xs, 99))} ms, stalled 30+ ms: ${xs.filter((x) => x >= 30).length}/${xs.length}`;
  console.log(`serve endpoint vs ${REAL ? `llama-server (${REAL})` : 'the fixture'} directly, ${N} 1-token completions each way, interleaved:`);
  console.log(row('direct, kept connection (most clients):', runs.kept));
  console.log(row('direct, a fresh connection per request:', runs.fresh));
  console.log(row('a bare Node proxy (20 lines, own process):', runs.bare));
  console.log(row('through the endpoint (kept client connection):', runs.through));
  const best = pct(runs.fresh, 50);
  console.log(`  added at the median: ${f(pct(runs.through, 50) - best)} ms over the best direct way (the bare proxy: ${f(pct(runs.bare, 50) - best)} ms); vs a kept direct connection: ${f(pct(runs.through, 50) - pct(runs.kept, 50))} ms median, ${f(pct(runs.through, 99) - pct(runs.kept, 99))} ms p99 (target: <= 1 ms at the median)`);
  console.log(`  daemon CPU per request through it: ${cpuPerRequest.toFixed(0)} µs (its background, ${(background * 100).toFixed(2)} % of a core measured idle over ${idleSeconds} s, taken out; load average ${fs.readFileSync('/proc/loadavg', 'utf8').split(' ')[0]})`);

  // 2. Streamed tokens per second.
  const stream = { prompt: 'Once upon a time', n_predict: 200, max_tokens: 200, stream: true, model: 'alpha' };
  const rates = { direct: [], through: [] };
  const firsts = { direct: [], through: [] };
  for (let i = 0; i < 20; i++)
    for (const port of i % 2 ? [alphaPort, servePort] : [servePort, alphaPort]) {
      const r = await post(port, '/v1/completions', stream);
      const events = r.text.split('\n\n').filter((e) => e.startsWith('data: {')).length;
      // As a client sees it: events over the whole answer, from the request to its end.
      (port === servePort ? rates.through : rates.direct).push(events / (r.ms / 1000));
      (port === servePort ? firsts.through : firsts.direct).push(r.firstMs);
    }
  const [sd, st] = [pct(rates.direct, 50), pct(rates.through, 50)];
  const paced = { direct: [], through: [] };
  await post(servePort, '/v1/completions', { ...stream, model: 'paced', n_predict: 2, max_tokens: 2 });
  for (let i = 0; i < 6; i++)
    for (const port of i % 2 ? [pacedPort, servePort] : [servePort, pacedPort]) {
      const r = await post(port, '/v1/completions', { ...stream, model: 'paced' });
      const events = r.text.split('\n\n').filter((e) => e.startsWith('data: {')).length;
      (port === servePort ? paced.through : paced.direct).push(events / (r.ms / 1000));
    }
  const [pd, pt] = [pct(paced.direct, 50), pct(paced.through, 50)];
  console.log(`  streamed at a GPU's pace (the fixture at 100 tokens/s, 200 tokens, 6 each): direct ${pd.toFixed(1)} events/s, through ${pt.toFixed(1)} events/s: ${(pt / pd).toFixed(3)}x`);
  console.log(`  streamed (200 tokens, 20 each, request to last event): direct ${sd.toFixed(0)} events/s, through ${st.toFixed(0)} events/s: ${(st / sd).toFixed(3)}x (target >= 0.98x); first event median direct ${f(pct(firsts.direct, 50))} ms, through ${f(pct(firsts.through, 50))} ms`);

  // 3. Cold start: ready to first byte through.
  stack.cli('stop', 'alpha');
  const ready = (async () => {
    for (;;) {
      const ok = await new Promise((resolve) => {
        const req = http.get({ host: '127.0.0.1', port: alphaPort, path: '/health', agent: false }, (res) => {
          res.resume();
          resolve(res.statusCode === 200 ? process.hrtime.bigint() : null);
        });
        req.on('error', () => resolve(null));
      });
      if (ok) return ok;
      await sleep(2);
    }
  })();
  const cold = await post(servePort, '/v1/completions', one);
  const readyAt = await ready;
  console.log(`  cold start: request to first byte ${f(cold.firstMs)} ms; server ready (GET /health 200) to first byte through ${f(Number(cold.firstAt - readyAt) / 1e6)} ms (target <= 50 ms)`);

  // 4. A swap.
  const swapped = await post(servePort, '/v1/completions', { ...one, model: 'beta' });
  if (swapped.status !== 200) throw new Error(`swap: ${swapped.status} ${swapped.text}`);
  const line = stack.cli('logs', 'serve').split('\n').filter((l) => l.includes(' swap gpu0: ')).at(-1);
  console.log(`  swap alpha -> beta, request to answer ${f(swapped.ms)} ms: ${line.replace(/^\S+ swap gpu0: alpha -> beta: /, '')}`);
} finally {
  agent.destroy();
  stack.cleanup();
}
