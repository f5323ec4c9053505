import { afterEach, describe, expect, it } from 'vitest';
import { cleanupAll, fixture, makeStack, NODE, TINY_GGUF, waitFor } from '../helpers/stack.js';

afterEach(cleanupAll);

const INTERVAL = 1000;
const TIMEOUT = 1000;
const THRESHOLD = 2;

const llamaStack = (args: string[]) => (ports: number[]) => `
restart: { backoff: 200ms, maxBackoff: 200ms }
services:
  llama:
    kind: llama-server
    command: [${JSON.stringify(NODE)}, ${JSON.stringify(fixture('fake-llama-server.mjs'))}]
    model: ${JSON.stringify(TINY_GGUF)}
    port: ${ports[0]}
    args: [${args.map((a) => JSON.stringify(a)).join(', ')}]
    health: { inference: { interval: ${INTERVAL}ms, timeout: ${TIMEOUT}ms }, failureThreshold: ${THRESHOLD} }
`;

describe('inference liveness: a server that answers /health but no longer generates', () => {
  it.each([
    ['/metrics hangs too, as in build 4748 (its main loop computes it)', [], /inference stalled: (GET \/metrics got no answer in 1 s|a 1-token request got no answer in 1 s)/],
    ['/metrics answers with frozen counters', ['--wedged-metrics-answer'], /inference stalled: (a 1-token request got no answer in 1 s|no token in \d+ s with \d+ requests? processing)/],
  ])('a wedged llama-server (health 200, completions hang; %s) is restarted, saying generation stalled', async (_what, extra, reason) => {
    const stack = await makeStack(llamaStack(['--tok-s', '50', '--wedge-after-ms', '1500', ...extra]), 1);
    expect((await stack.cli(['start'])).exitCode).toBe(0);
    await waitFor(async () => /CUDA error: an illegal memory access/.test((await stack.cli(['logs', 'llama', '-n', '50'])).stdout), 'the wedge');
    const wedgedAt = Date.now();
    let llama: Record<string, any> = {};
    await waitFor(async () => {
      llama = (await stack.status())[0]!;
      return llama.restarts >= 1;
    }, 'the wedged server restarted', 20_000);
    // interval × threshold + timeout, with one interval of scheduling slack and a second for the restart itself
    expect(Date.now() - wedgedAt).toBeLessThan(INTERVAL * THRESHOLD + TIMEOUT + INTERVAL + 1000 + 2000);
    expect(llama.lastError).toMatch(reason);
  });

  it('a busy llama-server with 8-second requests, its counters advancing, is never restarted', async () => {
    const stack = await makeStack(llamaStack(['--tok-s', '20', '--parallel', '1']), 1);
    expect((await stack.cli(['start'])).exitCode).toBe(0);
    const url = `http://127.0.0.1:${stack.ports[0]}/completion`;
    const request = () => fetch(url, { method: 'POST', body: JSON.stringify({ prompt: 'x', n_predict: 160 }) }).then((r) => r.json());
    // One 8-s request: about 8 inference checks at a 1 s interval, each seeing a request processing. As in build 4748,
    // tokens_predicted_total moves only when it ends (7 s past interval × threshold + timeout); n_decode_total moves.
    const busy = request();
    await waitFor(async () => (await stack.status())[0]!.llm?.slotsBusy === 1, 'the slot busy');
    expect((await busy).usage.completion_tokens).toBe(160);
    const llama = (await stack.status())[0]!;
    expect(llama).toMatchObject({ state: 'ready', restarts: 0 });
    expect(llama.lastError).toBeNull();
  });
});
