#!/usr/bin/env node
// The daemon's history rings (dist/daemon/history-ring.js), in process: what a day of samples costs in memory and
// time, side by side with keeping every sample as an object in an array (what a naive history would do).
//
//   node --expose-gc bench/history.mjs [SERVICES=4] [INTERVAL_MS=2000] [HOURS=24]
import { performance } from 'node:perf_hooks';
import { StackHistory } from '../dist/daemon/history-ring.js';

const services = Number(process.argv[2] ?? 4);
const intervalMs = Number(process.argv[3] ?? 2000);
const hours = Number(process.argv[4] ?? 24);
const rounds = Math.round((hours * 3600_000) / intervalMs);
const names = Array.from({ length: services }, (_, i) => `svc${i}`);
const gc = globalThis.gc ?? (() => undefined);
const memory = () => {
  gc();
  gc();
  const m = process.memoryUsage();
  return m.heapUsed + m.arrayBuffers;
};
const sampleAt = (i, s) => ({ cpu: (i * 7 + s) % 100, memory: 50e6 + ((i * 13) % 1000) * 1e4, tokensPerSecond: s === 0 ? (i % 40) + 0.5 : null, processing: s === 0 ? i % 3 : null, slotsBusy: s === 0 ? i % 2 : null });
const T0 = Date.UTC(2026, 0, 1);

function run(label, make, record) {
  const base = memory();
  const store = make();
  const marks = [];
  const began = performance.now();
  for (let i = 0; i < rounds; i++) {
    record(store, T0 + i * intervalMs, i);
    if (i === Math.round(3600_000 / intervalMs)) marks.push(['after 1 h', memory() - base]);
  }
  const ms = performance.now() - began;
  marks.push([`after ${hours} h`, memory() - base]);
  return { label, store, usPerRound: (ms * 1000) / rounds, marks };
}

const ring = run('ring (history-ring.ts)', () => new StackHistory(intervalMs), (h, t, i) => h.record(t, new Map(names.map((n, s) => [n, sampleAt(i, s)]))));
const naive = run('every sample in an array', () => new Map(names.map((n) => [n, []])), (m, t, i) => names.forEach((n, s) => m.get(n).push({ t, ...sampleAt(i, s) })));

const answerStart = performance.now();
const answer = { services: Object.fromEntries(names.map((n) => [n, ring.store.since(n, 0)])) };
const json = JSON.stringify(answer);
const answerMs = performance.now() - answerStart;
const hourStart = performance.now();
const lastHour = JSON.stringify({ services: Object.fromEntries(names.map((n) => [n, ring.store.since(n, T0 + rounds * intervalMs - 3600_000)])) });
const hourMs = performance.now() - hourStart;

const kb = (b) => `${(b / 1024).toFixed(0)} KiB`;
console.log(`${services} services, a sample every ${intervalMs} ms, ${hours} h = ${rounds} rounds (${rounds * services} samples)`);
for (const r of [ring, naive]) console.log(`  ${r.label.padEnd(26)} ${r.usPerRound.toFixed(2)} µs per round; memory ${r.marks.map(([k, v]) => `${k} ${kb(v)}`).join(', ')}`);
console.log(`  ring's own arrays: ${kb(ring.store.bytes)} (${kb(ring.store.bytes / services)} per service), fixed`);
const [ring1h, ringDay] = [ring.marks[0][1], ring.marks.at(-1)[1]];
const [naive1h, naiveDay] = [naive.marks[0][1], naive.marks.at(-1)[1]];
console.log(`  growth from 1 h to ${hours} h: ring ${(ringDay / ring1h).toFixed(2)}x, array ${(naiveDay / naive1h).toFixed(2)}x; array / ring after ${hours} h: ${(naiveDay / ringDay).toFixed(1)}x`);
console.log(`  GET /api/history (all kept): ${answer.services.svc0.length} points a service, ${kb(json.length)} of JSON, built in ${answerMs.toFixed(1)} ms; the last hour: ${kb(lastHour.length)} in ${hourMs.toFixed(1)} ms`);
