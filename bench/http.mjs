#!/usr/bin/env node
// The HTTP API under load, side by side in one run: `/api/status` latency (median and p95 of sequential requests)
// and the daemon's CPU, first quiet, then with 50 SSE subscribers on /api/events while a restart storm runs
// (services restarted one after another through the API for SECONDS). Also: events each subscriber received.
// Usage: node bench/http.mjs [SECONDS]   (default 20)
import http from 'node:http';
import fs from 'node:fs';
import { cpuAndRss, freePorts, makeStack, median, sleep } from './lib.mjs';

const seconds = Number(process.argv[2] ?? 20);
const [port] = await freePorts(1);
const stack = makeStack(() => `http: { listen: "127.0.0.1:${port}" }
services:
${['a', 'b', 'c'].map((n) => `  ${n}: { kind: process, command: ["sleep", "100000"], readyAfter: 50ms, stopTimeout: 2s }`).join('\n')}
`);
const ask = (path, method = 'GET', token) =>
  new Promise((resolve, reject) => {
    const t0 = process.hrtime.bigint();
    const req = http.request({ host: '127.0.0.1', port, path, method, headers: { Authorization: `Bearer ${token}` } }, (res) => {
      res.resume();
      res.on('end', () => resolve({ status: res.statusCode, ms: Number(process.hrtime.bigint() - t0) / 1e6 }));
    });
    req.on('error', reject);
    req.end();
  });
const p95 = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length * 0.95)];
try {
  stack.cli('start');
  const info = JSON.parse(stack.cli('daemon', 'status', '--json'));
  const token = fs.readFileSync(info.http.tokenFile, 'utf8').trim();
  const daemon = info.pid;
  const measure = async (label, during) => {
    const latencies = [];
    const before = cpuAndRss(daemon);
    const t0 = Date.now();
    let stop = false;
    const background = during ? during(() => stop) : Promise.resolve(0);
    while (Date.now() - t0 < seconds * 1000) {
      latencies.push((await ask('/api/status', 'GET', token)).ms);
      await sleep(50);
    }
    stop = true;
    const restarts = await background;
    const after = cpuAndRss(daemon);
    const cpu = ((after.cpuSeconds - before.cpuSeconds) / ((Date.now() - t0) / 1000)) * 100;
    console.log(`${label.padEnd(46)} /api/status median ${median(latencies).toFixed(1)} ms, p95 ${p95(latencies).toFixed(1)} ms (${latencies.length} requests); daemon CPU ${cpu.toFixed(1)} %, RSS ${(after.rss / 2 ** 20).toFixed(0)} MB${restarts ? `; ${restarts} restarts` : ''}`);
  };
  await measure('quiet, no subscriber');
  const subscribers = [];
  for (let i = 0; i < 50; i++)
    subscribers.push(
      await new Promise((resolve) => {
        const sub = { events: 0 };
        http.get({ host: '127.0.0.1', port, path: '/api/events', headers: { Authorization: `Bearer ${token}` } }, (res) => {
          res.setEncoding('utf8');
          res.on('data', (chunk) => (sub.events += (chunk.match(/^event: /gm) ?? []).length));
          sub.close = () => res.destroy();
          resolve(sub);
        });
      }),
    );
  await measure('50 SSE subscribers, restart storm', async (stopped) => {
    let n = 0;
    while (!stopped()) {
      await ask(`/api/services/${'abc'[n % 3]}/restart`, 'POST', token);
      n++;
    }
    return n;
  });
  const counts = subscribers.map((s) => s.events);
  console.log(`events per subscriber: min ${Math.min(...counts)}, max ${Math.max(...counts)} (the same stream for all: snapshot + every state change)`);
  for (const s of subscribers) s.close();
} finally {
  stack.cleanup();
}
