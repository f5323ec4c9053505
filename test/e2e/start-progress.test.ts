import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { TmuxScreen } from '../helpers/tmux.js';
import { cleanupAll, CLI, fixture, makeStack, NODE, TINY_GGUF } from '../helpers/stack.js';

const screens: TmuxScreen[] = [];
afterEach(async () => {
  for (const s of screens.splice(0)) await s.close();
  await cleanupAll();
});

/** A model that takes `loadMs` to load (the fixture answers 503 "Loading model" meanwhile), and a web app after it. */
const slowStack = (loadMs: number) => (ports: number[]) => `
services:
  llama:
    kind: llama-server
    command: [${JSON.stringify(NODE)}, ${JSON.stringify(fixture('fake-llama-server.mjs'))}, --load-ms, "${loadMs}"]
    model: ${JSON.stringify(TINY_GGUF)}
    port: ${ports[0]}
  web:
    kind: process
    command: [${JSON.stringify(NODE)}, -e, "setInterval(() => {}, 1e9)"]
    readyAfter: 200ms
    dependsOn: [llama]
`;

describe('start says what it is waiting for', () => {
  it('on a terminal: a live line per service (state, time, latest log line), replaced by the result', async () => {
    const stack = await makeStack(slowStack(4000), 1);
    const screen = await TmuxScreen.open(`progress-${path.basename(stack.dir)}`, `'${NODE}' '${CLI}' start --config '${stack.configFile}'`, { ...stack.env, TERM: 'xterm-256color' }, 100, 20);
    screens.push(screen);
    const live = await screen.waitFor(/◐ llama\s+loading model\s+\d+\.\ds\s+\S/, 'the loading line with a log line', 10_000);
    expect(live).toMatch(/… web\s+waiting/);
    const first = live.split('\n')[0]!;
    await screen.waitFor(new RegExp(`◐ llama\\s+loading model\\s+(?!${first.match(/(\d+\.\ds)/)![1]!.replace('.', '\\.')})\\d+\\.\\ds`), 'the time to move on (redrawn in place)', 10_000);
    const done = await screen.waitFor(/✓ web ready/, 'the result', 20_000, true);
    expect(done).toMatch(/^✓ llama ready in \d+\.\ds \(pid \d+, port \d+\)\n✓ web ready in/m);
    expect(done, `${done}\n---\n${await screen.text(true, true)}`).not.toMatch(/◐|waiting/); // the live block is gone
  });

  it('off a terminal: a line per state change on stderr; stdout keeps only the result', async () => {
    const stack = await makeStack(slowStack(1000), 1);
    const run = await stack.cli(['start']);
    expect(run.exitCode).toBe(0);
    const lines = run.stderr.split('\n');
    const loading = lines.findIndex((l) => /^llama: loading model \(pid \d+, \d+\.\ds\)$/.test(l));
    const ready = lines.findIndex((l) => /^llama: ready \(pid \d+, \d+\.\ds\)$/.test(l));
    const web = lines.findIndex((l) => /^web: ready \(pid \d+, \d+\.\ds\)$/.test(l));
    expect(loading).toBeGreaterThanOrEqual(0);
    expect(ready).toBeGreaterThan(loading);
    expect(web).toBeGreaterThan(ready);
    expect(run.stderr).not.toMatch(/\x1b/);
    expect(run.stdout.split('\n')).toEqual([expect.stringMatching(/^✓ llama ready in/), expect.stringMatching(/^✓ web ready in/)]);
    // again: nothing to wait for, and it says they were running already
    const again = await stack.cli(['start']);
    expect(again.stdout).toMatch(/^✓ llama already running \(pid \d+, port \d+, up \d+s\)\n✓ web already running \(pid \d+, up \d+s\)$/);
    const json = JSON.parse((await stack.cli(['start', '--json'])).stdout);
    expect(json.results.map((r: { ok: boolean }) => r.ok)).toEqual([true, true]);
  });
});
