#!/usr/bin/env node
// What ollama's API on the serve endpoint costs over llama-server's own, side by side in one run, requests
// interleaved: a 1-token answer sent (a) straight to llama-server's /completion, (b) as ollama's /api/generate with
// raw: true (translated to /completion and back), (c) as /api/generate with the template applied (+ one
// /apply-template call), (d) as /api/chat (translated to /v1/chat/completions) against (e) /v1/chat/completions
// straight; then streamed tokens per second, /api/generate NDJSON vs /completion SSE.
// The real llama-server when LLAMA_SERVER names it, else the fixture. Usage: node bench/ollama-api.mjs [N]
import { fixture, freePorts, makeStack, median, sleep } from './lib.mjs';

const N = Number(process.argv[2] ?? 200);
const server = process.env.LLAMA_SERVER ? [process.env.LLAMA_SERVER] : [process.execPath, fixture('fake-llama-server.mjs')];
const [llamaPort, servePort] = await freePorts(2);
const stack = makeStack(() => `serve: { listen: 127.0.0.1:${servePort} }
services:
  llama: { kind: llama-server, command: ${JSON.stringify(server)}, model: ${JSON.stringify(fixture('tiny-llama.gguf'))}, port: ${llamaPort}, args: [-t, "1"], models: [tiny] }
`);
const direct = `http://127.0.0.1:${llamaPort}`;
const endpoint = `http://127.0.0.1:${servePort}`;
const post = async (url, body) => {
  const res = await fetch(url, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });
  const text = await res.text();
  if (!res.ok) throw new Error(`${url}: ${res.status} ${text}`);
  return text;
};
const p99 = (xs) => [...xs].sort((a, b) => a - b)[Math.min(xs.length - 1, Math.floor(xs.length * 0.99))];
const timed = async (fn) => {
  const t = process.hrtime.bigint();
  const out = await fn();
  return { ms: Number(process.hrtime.bigint() - t) / 1e6, out };
};
try {
  stack.cli('start');
  for (let i = 0; i < 200; i++) {
    try {
      await post(`${endpoint}/api/generate`, { model: 'tiny', prompt: 'Hi', raw: true, stream: false, options: { num_predict: 1 } });
      break;
    } catch {
      await sleep(50);
    }
  }
  const cases = {
    'direct /completion': () => post(`${direct}/completion`, { prompt: 'Hi', n_predict: 1, temperature: 0 }),
    '/api/generate raw': () => post(`${endpoint}/api/generate`, { model: 'tiny', prompt: 'Hi', raw: true, stream: false, options: { num_predict: 1, temperature: 0 } }),
    '/api/generate (template)': () => post(`${endpoint}/api/generate`, { model: 'tiny', prompt: 'Hi', stream: false, options: { num_predict: 1, temperature: 0 } }),
    'direct /v1/chat/completions': () => post(`${direct}/v1/chat/completions`, { messages: [{ role: 'user', content: 'Hi' }], max_tokens: 1, temperature: 0 }),
    '/api/chat': () => post(`${endpoint}/api/chat`, { model: 'tiny', stream: false, messages: [{ role: 'user', content: 'Hi' }], options: { num_predict: 1, temperature: 0 } }),
  };
  const times = Object.fromEntries(Object.keys(cases).map((k) => [k, []]));
  for (let i = 0; i < 10; i++) for (const fn of Object.values(cases)) await fn(); // warm-up
  for (let i = 0; i < N; i++) for (const [name, fn] of Object.entries(cases)) times[name].push((await timed(fn)).ms);
  console.log(`1-token answers, ${N} each, interleaved (${process.env.LLAMA_SERVER ? 'real llama-server' : 'fixture'}):`);
  const row = (name, base) => {
    const m = median(times[name]);
    const added = base ? `  added at the median ${(m - median(times[base])).toFixed(2)} ms (${(m / median(times[base])).toFixed(2)}x)` : '';
    console.log(`  ${name.padEnd(28)} median ${m.toFixed(2)} ms  p99 ${p99(times[name]).toFixed(2)} ms${added}`);
  };
  row('direct /completion');
  row('/api/generate raw', 'direct /completion');
  row('/api/generate (template)', 'direct /completion');
  row('direct /v1/chat/completions');
  row('/api/chat', 'direct /v1/chat/completions');

  const TOKENS = 128;
  const rates = { direct: [], translated: [] };
  for (let i = 0; i < 5; i++) {
    const d = await timed(() => post(`${direct}/completion`, { prompt: 'Once', n_predict: TOKENS, stream: true }));
    const events = d.out.split('\n').filter((l) => l.startsWith('data: '));
    rates.direct.push((JSON.parse(events.at(-1).slice(6)).tokens_predicted * 1000) / d.ms);
    const t = await timed(() => post(`${endpoint}/api/generate`, { model: 'tiny', prompt: 'Once', raw: true, options: { num_predict: TOKENS } }));
    const last = JSON.parse(t.out.trim().split('\n').at(-1));
    rates.translated.push((last.eval_count * 1000) / t.ms);
  }
  const rd = median(rates.direct);
  const rt = median(rates.translated);
  console.log(`streamed ${TOKENS} tokens, median of 5: direct /completion SSE ${rd.toFixed(0)} tok/s, /api/generate NDJSON ${rt.toFixed(0)} tok/s = ${(rt / rd).toFixed(3)}x`);
} finally {
  stack.cleanup();
}
