import { afterEach, describe, expect, it } from 'vitest';
import { cleanupAll, llamaServerCommand, makeStack, REAL_LLAMA_SERVER, TINY_GGUF, waitFor } from '../helpers/stack.js';

afterEach(cleanupAll);

const OURS = /request: GET \/(health|props|models|v1\/models|metrics|slots) /;

describe("llama-top's own requests in llama-server's log", () => {
  it('asks /props, /models and /slots (501) once per run, then only /metrics; logs --no-probes folds them; -n caps --since', async () => {
    const stack = await makeStack(
      (ports) => `services:
  llama:
    kind: llama-server
    command: ${JSON.stringify(llamaServerCommand())}
    model: ${JSON.stringify(TINY_GGUF)}
    port: ${ports[0]}
    args: [-c, "256", -t, "1"]
    env: { FAKE_LLAMA_BUILD: "4748" }   # the fixture logs requests and answers /slots 501 as build 4748 does
    health: { inference: false }
`,
      1,
    );
    const started = await stack.cli(['start', 'llama']);
    expect(started.exitCode, started.stderr + started.stdout).toBe(0);
    const log = async (...flags: string[]) => (await stack.cli(['logs', 'llama', '-n', '100000', ...flags])).stdout.split('\n').filter(Boolean);
    const count = (lines: string[], path: string) => lines.filter((l) => l.includes(`request: GET ${path} `)).length;
    // Each status asks for figures at most every 2 s: ask until four samples went to the server.
    await waitFor(async () => {
      await stack.cli(['status']);
      return count(await log(), '/metrics') >= 4;
    }, 'four samples of the figures', 60_000);
    const lines = await log();
    expect(count(lines, '/slots'), lines.join('\n')).toBeLessThanOrEqual(1);
    expect(count(lines, '/props'), lines.join('\n')).toBeLessThanOrEqual(1);
    expect(count(lines, '/models')).toBeLessThanOrEqual(1);

    const answer = await fetch(`http://127.0.0.1:${stack.ports[0]}/completion`, { method: 'POST', body: JSON.stringify({ prompt: 'Hello', n_predict: 2 }) });
    expect(answer.status).toBe(200);
    await waitFor(async () => (await log()).some((l) => l.includes('request: POST /completion')), 'the user request in the log');
    const shown = await log('--no-probes');
    expect(shown.filter((l) => OURS.test(l))).toEqual([]);
    expect(shown.some((l) => l.includes('request: POST /completion'))).toBe(true);
    expect(shown.length).toBeLessThan((await log()).length);

    const recent = await stack.cli(['logs', 'llama', '-n', '3', '--since', '5m']);
    expect(recent.stdout.trimEnd().split('\n')).toHaveLength(3);
    const all = await stack.cli(['logs', 'llama', '--since', '5m']);
    expect(all.stdout.trimEnd().split('\n').length).toBeGreaterThanOrEqual(shown.length); // --since alone: every line since then, not 50
  }, 120_000);
});

if (REAL_LLAMA_SERVER) console.log(`probe-lines: against ${REAL_LLAMA_SERVER}`);
