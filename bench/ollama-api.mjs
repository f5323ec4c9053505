#!/usr/bin/env node
// What ollama's API on the serve endpoint costs over llama-server's own, side by side in one run, requests
// interleaved: a 1-token answer sent (a) straight to llama-server's /completion, (b) as ollama's /api/generate with
// raw: true (translated to /completion and back), (c) as /api/generate with the template applied (+ one
// /apply-template call), (d) as /api/chat (translated to /v1/chat/completions) against (e) /v1/chat/completions
// straight; then streamed tokens per second, /api/generate NDJSON vs /completion SSE.
// The real llama-server when LLAMA_SERVER names it, else the fixture. Usage: node bench/ollama-api.mjs [N]
import http from 'node:http';
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
// One client for every case: node:http, a fresh connection with Nagle off (what the endpoint does upstream). A
// kept-alive fetch straight to llama-server pays ~40 ms of delayed ACK per request here (DESIGN, "Serving models"),
// which would flatter the endpoint; this measures what the translation adds.
const post = (url, body, onChunk = () => {}) =>
  new Promise((resolve, reject) => {
    const payload = Buffer.from(JSON.stringify(body));
    const req = http.request(url, { method: 'POST', agent: false, headers: { 'content-type': 'application/json', 'content-length': payload.length } }, (res) => {
      let text = '';
      res.setEncoding('utf8');
      res.on('data', (chunk) => {
        text += chunk;
        onChunk(chunk);
      });
      res.on('end', () => (res.statusCode === 200 ? resolve(text) : reject(new Error(`${url}: ${res.statusCode} ${text}`))));
    });
    req.on('socket', (s) => s.setNoDelay(true));
    req.on('error', reject);
    req.end(payload);
  });
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
    'endpoint /v1/chat/completions': () => post(`${endpoint}/v1/chat/completions`, { model: 'tiny', messages: [{ role: 'user', content: 'Hi' }], max_tokens: 1, temperature: 0 }),
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
  row('endpoint /v1/chat/completions', 'direct /v1/chat/completions');
  row('/api/chat', 'direct /v1/chat/completions');

  // Streamed: the rate between the first and the last piece at the client (the start's fixed cost left out).
  const TOKENS = 256;
  const streamRate = async (url, body, countOf) => {
    let first = 0;
    let last = 0;
    const text = await post(url, body, () => {
      last = performance.now();
      first ||= last;
    });
    const n = countOf(text);
    return { rate: ((n - 1) * 1000) / (last - first), n };
  };
  const rates = { direct: [], translated: [], directChat: [], passthrough: [] };
  const lastChatUsage = (t) => JSON.parse(t.trim().split('\n').filter((l) => l.startsWith('data: {')).at(-1).slice(6)).usage.completion_tokens;
  for (let i = 0; i < 7; i++) {
    const d = await streamRate(`${direct}/completion`, { prompt: 'Once', n_predict: TOKENS, stream: true }, (t) => JSON.parse(t.trim().split('\n').filter((l) => l.startsWith('data: ')).at(-1).slice(6)).tokens_predicted);
    rates.direct.push(d.rate);
    const t = await streamRate(`${endpoint}/api/generate`, { model: 'tiny', prompt: 'Once', raw: true, options: { num_predict: TOKENS } }, (t) => JSON.parse(t.trim().split('\n').at(-1)).eval_count);
    rates.translated.push(t.rate);
    const chatBody = { model: 'tiny', messages: [{ role: 'user', content: 'Once' }], max_tokens: TOKENS, stream: true };
    rates.directChat.push((await streamRate(`${direct}/v1/chat/completions`, chatBody, lastChatUsage)).rate);
    rates.passthrough.push((await streamRate(`${endpoint}/v1/chat/completions`, chatBody, lastChatUsage)).rate);
  }
  const rd = median(rates.direct);
  const rt = median(rates.translated);
  console.log(`streamed ${TOKENS} tokens, median of 7 (first to last piece):`);
  console.log(`  direct /completion SSE ${rd.toFixed(0)} tok/s, /api/generate NDJSON (translated) ${rt.toFixed(0)} tok/s = ${(rt / rd).toFixed(3)}x`);
  const rc = median(rates.directChat);
  const rp = median(rates.passthrough);
  console.log(`  direct /v1/chat/completions ${rc.toFixed(0)} tok/s, through the endpoint untouched ${rp.toFixed(0)} tok/s = ${(rp / rc).toFixed(3)}x`);
} finally {
  stack.cleanup();
}
