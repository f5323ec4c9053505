#!/usr/bin/env -S node --max-semi-space-size=1
import { main } from '../dist/cli.js';

/** Exits once stdout and stderr have drained: a pipe to a slow reader must get every byte (`status --json | jq`). */
function exitWhenDrained(code) {
  const pending = [process.stdout, process.stderr].filter((s) => s.writableLength > 0);
  if (pending.length === 0) process.exit(code);
  let left = pending.length;
  for (const stream of pending) {
    const done = () => --left === 0 && process.exit(code);
    stream.once('drain', done);
    stream.once('error', () => process.exit(code)); // the reader went away (EPIPE): nothing more to deliver
  }
}

main(process.argv.slice(2)).then(exitWhenDrained, (error) => {
  process.stderr.write(`llama-top: internal error: ${error?.stack ?? error}\n`);
  exitWhenDrained(1);
});
