#!/usr/bin/env node
// What the drain costs a stop with nothing in flight, side by side in one run: the daemon's own elapsed time of
// `stop llama` (drains: counts the requests in flight, a zero seen twice) and of `stop llama --now` (does not),
// alternating, ROUNDS times each (default 10); medians and their ratio. LLAMA_SERVER=<binary> runs the real
// llama-server on the tiny model instead of the fixture.
// Usage: node bench/drain.mjs [ROUNDS]
import { fixture, freePorts, makeStack, median } from './lib.mjs';

const rounds = Number(process.argv[2] ?? 10);
const [port] = await freePorts(1);
const command = process.env.LLAMA_SERVER ? [process.env.LLAMA_SERVER] : [process.execPath, fixture('fake-llama-server.mjs')];
const stack = makeStack(() => `services:
  llama:
    kind: llama-server
    command: ${JSON.stringify(command)}
    model: ${JSON.stringify(fixture('tiny-llama.gguf'))}
    port: ${port}
    args: ${JSON.stringify(process.env.LLAMA_SERVER ? ['-t', '1'] : [])}
    health: { inference: false }
`);
const elapsed = (...args) => JSON.parse(stack.cli('stop', 'llama', '--json', ...args)).results[0].elapsedMs;
try {
  const drained = [];
  const now = [];
  for (let i = 0; i < rounds; i++) {
    stack.cli('start', 'llama');
    drained.push(elapsed());
    stack.cli('start', 'llama');
    now.push(elapsed('--now'));
  }
  console.log(`server: ${process.env.LLAMA_SERVER ? `llama-server ${process.env.LLAMA_SERVER}` : 'the llama-server fixture'}, ${rounds} rounds, nothing in flight`);
  console.log(`stop (drains):   median ${median(drained)} ms  [${drained.join(', ')}]`);
  console.log(`stop --now:      median ${median(now)} ms  [${now.join(', ')}]`);
  console.log(`drain adds:      ${median(drained) - median(now)} ms at the median (${(median(drained) / median(now)).toFixed(2)}x)`);
} finally {
  stack.cleanup();
}
