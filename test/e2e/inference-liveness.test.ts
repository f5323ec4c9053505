import fs from 'node:fs';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { cleanupAll, daemonRequest, fixture, llamaServerCommand, makeStack, NODE, REAL_LLAMA_SERVER, TINY_GGUF, waitFor } from '../helpers/stack.js';

afterEach(cleanupAll);

const INTERVAL = 1000;
const TIMEOUT = 1000;
const THRESHOLD = 2;

const llamaStack = (args: string[], command = [NODE, fixture('fake-llama-server.mjs')], threshold = THRESHOLD, probe = '') => (ports: number[]) => `
restart: { backoff: 200ms, maxBackoff: 200ms }
services:
  llama:
    kind: llama-server
    command: ${JSON.stringify(command)}
    model: ${JSON.stringify(TINY_GGUF)}
    port: ${ports[0]}
    args: [${args.map((a) => JSON.stringify(a)).join(', ')}]
    health: { inference: { interval: ${INTERVAL}ms, timeout: ${TIMEOUT}ms }, failureThreshold: ${threshold}${probe} }
`;

describe('inference liveness: a server that answers /health but no longer generates', () => {
  it.each([
    ['/metrics hangs too, as in build 4748 (its main loop computes it)', [], /inference stalled: (GET \/metrics got no answer in \d+ s while \/health answers|a 1-token request got no answer in 1 s)/],
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

  it('a wedged llama-server watched all along keeps answering /health: llama-top holds one of its HTTP threads, however often it asks', async () => {
    // Three HTTP threads and three failures in a row: a stuck main loop keeps a thread for every question it is asked,
    // so asking /metrics anew each time (the sampler every 2 s, the check every second) would leave none for /health.
    const stack = await makeStack(llamaStack(['--tok-s', '50', '--wedge-after-ms', '1500', '--threads-http', '3'], undefined, 3), 1);
    expect((await stack.cli(['start'])).exitCode).toBe(0);
    const { socket } = JSON.parse((await stack.cli(['daemon', 'status', '--json'])).stdout) as { socket: string };
    // Asked straight over the socket: as often as the server answers, not as often as a loaded machine starts a CLI.
    const status = async () => (await daemonRequest<{ services: Array<Record<string, any>> }>(socket, { type: 'status' })).services[0]!;
    const health = `http://127.0.0.1:${stack.ports[0]}/health`;
    const hanging = fetch(`http://127.0.0.1:${stack.ports[0]}/completion`, { method: 'POST', body: JSON.stringify({ prompt: 'x', n_predict: 100_000 }) }).catch(() => null);
    // The wedge, read from the log files themselves: a `logs` command per round takes seconds on a loaded machine, and
    // the restart comes a few seconds after the wedge.
    const { logDir } = await status();
    const wedgedNow = () => fs.readdirSync(logDir).filter((f) => f.endsWith('.log')).some((f) => fs.readFileSync(path.join(logDir, f), 'utf8').includes('CUDA error'));
    let llama: Record<string, any> = {};
    let answered = 0;
    let unanswered = 0;
    let sawWedge = false;
    await waitFor(async () => {
      llama = await status(); // keeps the stats sampler asking
      if (llama.restarts >= 1) return true;
      sawWedge ||= wedgedNow();
      const ok = await fetch(health, { signal: AbortSignal.timeout(2000) }).then((r) => r.status === 200, () => false);
      if (!sawWedge) return false; // asked before the wedge: says nothing
      if (ok) answered++;
      else {
        // Unanswered because the restart has begun meanwhile is no leak: only the same server, still ready, counts.
        const now = await status();
        if (now.pid === llama.pid && now.state === 'ready') unanswered++;
      }
      return false;
    }, 'the wedged server restarted', 30_000, 0);
    expect(unanswered).toBe(0);
    expect(answered).toBeGreaterThanOrEqual(2);
    expect(llama.lastError).toMatch(/^inference stalled: GET \/metrics got no answer in \d+ s while \/health answers/);
    await hanging;
  });

  it('a wedged llama-server whose HTTP threads are all held by hanging clients is restarted: none of their requests ends', async () => {
    // It wedges once the clients hold every HTTP thread, however long they take to come on a loaded machine.
    const stack = await makeStack(llamaStack(['--tok-s', '50', '--wedge-when-threads-held', '--threads-http', '3']), 1);
    expect((await stack.cli(['start'])).exitCode).toBe(0);
    const url = `http://127.0.0.1:${stack.ports[0]}/completion`;
    const clients = Array.from({ length: 5 }, () => fetch(url, { method: 'POST', body: JSON.stringify({ prompt: 'x', n_predict: 100_000 }) }).catch(() => null));
    await waitFor(async () => /CUDA error/.test((await stack.cli(['logs', 'llama', '-n', '50'])).stdout), 'the wedge');
    let llama: Record<string, any> = {};
    await waitFor(async () => {
      llama = (await stack.status())[0]!;
      return llama.restarts >= 1;
    }, 'the wedged server restarted', 20_000);
    expect(llama.lastError).toMatch(/^inference stalled: no answer from its main loop in \d+ s, every HTTP thread held by a client, none of their \d+ requests ended, and it computed nothing( \(\d+(\.\d)? % CPU\))?$/);
    await Promise.all(clients);
  });

  // A crowd: more clients than HTTP threads (here 3), so /health waits for a request to end (measured on build 4748:
  // 7 s with 40 clients). Without the crowd rule a health check every 300 ms killed it mid-answer.
  const crowd = REAL_LLAMA_SERVER
    ? { what: 'the real llama-server', args: ['-t', '1', '-c', '256', '-np', '1', '--threads-http', '3'], command: llamaServerCommand(), tokens: 4000 }
    : { what: 'the fixture', args: ['--tok-s', '20', '--parallel', '1', '--threads-http', '3'], command: undefined, tokens: 60 };
  it(`a llama-server serving more clients than it has HTTP threads is never restarted by its unanswered /health: ${crowd.what}`, async () => {
    const stack = await makeStack(llamaStack(crowd.args, crowd.command, 2, ', interval: 300ms, timeout: 200ms'), 1);
    expect((await stack.cli(['start'])).exitCode).toBe(0);
    const url = `http://127.0.0.1:${stack.ports[0]}/completion`;
    const ask = () => fetch(url, { method: 'POST', body: JSON.stringify({ prompt: 'x', n_predict: crowd.tokens, ignore_eos: true }) }).then((r) => r.json());
    const answers = Array.from({ length: 6 }, ask);
    const daemonLog = path.join(stack.stateDir(), 'daemon.log');
    await waitFor(() => fs.existsSync(daemonLog) && /not counted as a failure: every HTTP thread serving a client \(\d+ connected, 3 threads\)/.test(fs.readFileSync(daemonLog, 'utf8')), 'a health check excused');
    // Two answers end one after the other (one slot): each took several unanswered health checks.
    await Promise.race(answers);
    expect((await stack.status())[0]).toMatchObject({ state: 'ready', restarts: 0 });
    await Promise.all(answers.slice(0, 2));
    expect((await stack.status())[0]).toMatchObject({ state: 'ready', restarts: 0 });
    for (const a of await Promise.all(answers)) expect(a.content).toBeTypeOf('string');
  });

  // Against the real build 4748 when LLAMA_SERVER is set: one answer of 16,000 tokens (context shift past -c 256, and
  // ignore_eos: the tiny model's random weights may pick the end token) at about 1,400 tokens/s on one thread. Its
  // tokens_predicted_total stays 0 until the end (measured); n_decode_total moves.
  const longAnswer = REAL_LLAMA_SERVER
    ? { what: `the real llama-server (${REAL_LLAMA_SERVER})`, args: ['-t', '1', '-c', '256'], command: llamaServerCommand(), tokens: 16_000 }
    : { what: 'the fixture at 20 tokens/s (set LLAMA_SERVER for the real one)', args: ['--tok-s', '20', '--parallel', '1'], command: undefined, tokens: 160 };
  it(`a busy llama-server, one request running for seconds, is never restarted: ${longAnswer.what}`, async () => {
    const stack = await makeStack(llamaStack(longAnswer.args, longAnswer.command), 1);
    expect((await stack.cli(['start'])).exitCode).toBe(0);
    const url = `http://127.0.0.1:${stack.ports[0]}/v1/completions`;
    const request = () => fetch(url, { method: 'POST', body: JSON.stringify({ prompt: 'x', max_tokens: longAnswer.tokens, ignore_eos: true }) }).then((r) => r.json());
    // Several inference checks at a 1 s interval, each seeing a request processing. As in build 4748,
    // tokens_predicted_total moves only when it ends (seconds past interval × threshold + timeout); n_decode_total moves.
    const busy = request();
    const seen = new Set<string>();
    await waitFor(async () => {
      const llama = (await stack.status())[0]!;
      if (llama.llm?.slotsBusy === 1 && llama.inference?.result === 'ok') seen.add(llama.inference.checkedAt);
      return seen.size >= 3;
    }, 'three checks passed while the slot was busy', 30_000);
    expect((await busy).usage.completion_tokens).toBe(longAnswer.tokens);
    const llama = (await stack.status())[0]!;
    expect(llama).toMatchObject({ state: 'ready', restarts: 0 });
    expect(llama.lastError).toBeNull();
  });
});

const ollamaStack = (args: string[]) => (ports: number[]) => `
restart: { backoff: 200ms, maxBackoff: 200ms }
services:
  ollama:
    kind: ollama
    command: [${JSON.stringify(NODE)}, ${JSON.stringify(fixture('fake-ollama.mjs'))}, --runners, ${args.map((a) => JSON.stringify(a)).join(', ')}]
    port: ${ports[0]}
    health: { inference: { interval: ${INTERVAL}ms, timeout: ${TIMEOUT}ms }, failureThreshold: ${THRESHOLD} }
`;

describe('inference liveness of ollama: its runner processes, one per loaded model', () => {
  const generate = (port: number, body: Record<string, unknown>) =>
    fetch(`http://127.0.0.1:${port}/api/generate`, { method: 'POST', body: JSON.stringify({ model: 'llama3.2:1b', prompt: 'x', stream: false, ...body }) });

  it('a wedged runner (ollama still answers, the runner writes nothing, a request hangs) is restarted, saying generation stalled', async () => {
    const stack = await makeStack(ollamaStack(['--preload', 'llama3.2:1b', '--runner-wedge-after-ms', '2500']), 1);
    expect((await stack.cli(['start'])).exitCode).toBe(0);
    const hanging = generate(stack.ports[0]!, { options: { num_predict: 100_000 } }).catch(() => null); // its tokens stop with the wedge
    await waitFor(async () => /CUDA error: an illegal memory access/.test((await stack.cli(['logs', 'ollama', '-n', '50'])).stdout), 'the wedge');
    const wedgedAt = Date.now();
    let ollama: Record<string, any> = {};
    await waitFor(async () => {
      ollama = (await stack.status())[0]!;
      return ollama.restarts >= 1;
    }, 'the wedged ollama restarted', 20_000);
    // The CUDA error's own write may count as one last sign of life: one more interval than llama-server's bound.
    expect(Date.now() - wedgedAt).toBeLessThan(INTERVAL * THRESHOLD + TIMEOUT + 2 * INTERVAL + 1000 + 2000);
    expect(ollama.lastError).toMatch(/^inference stalled: ollama's runner \(pid \d+, port \d+\) generated no token in 1 s, and a 1-token request got no answer$/);
    await hanging;
  });

  it('a busy ollama with 8-second requests, its runner writing tokens, is never restarted, and is sent nothing while busy (past its first check)', async () => {
    const stack = await makeStack(ollamaStack(['--preload', 'llama3.2:1b', '--tok-s', '20', '--parallel', '1']), 1);
    expect((await stack.cli(['start'])).exitCode).toBe(0);
    const started = Date.now();
    const pending = generate(stack.ports[0]!, { options: { num_predict: 160 } }).then((r) => r.json());
    // ollama counts no tokens; the runner's writes (one per token) give the rate, marked as an estimate.
    let rate = 0;
    await waitFor(async () => {
      const llm = (await stack.status())[0]!.llm;
      rate = llm?.generationTokensPerSecond ?? 0;
      return llm?.generationEstimated === true && rate > 0;
    }, 'an estimated generation rate');
    // 20 tokens/s, estimated from write counts over the sampler's window: writes, not bytes (~25 a token), and not the
    // figure itself (a starved runner writes its late tokens in a burst; the figure's accuracy is a bench's to measure).
    expect(rate).toBeGreaterThan(1);
    expect(rate).toBeLessThan(300);
    const table = (await stack.cli(["status"])).stdout;
    expect(table).toMatch(/llama3\.2:1b \([^)]+ left\) · ≈\d+(\.\d)? tok\/s/);
    const answer = await pending;
    const ended = Date.now();
    expect(answer.eval_count).toBe(160);
    const ollama = (await stack.status())[0]!;
    expect(ollama).toMatchObject({ state: 'ready', restarts: 0, inference: { result: 'ok' } });
    expect(ollama.lastError).toBeNull();
    // The runner logs each request it is sent. 1-token requests (the check's) come while it is idle, never while it
    // generates: past the first second (a check may see too few tokens yet and ask once) up to the end.
    const probes = async () =>
      (await stack.cli(['logs', 'ollama', '-n', '5000'])).stdout
        .split('\n')
        .filter((l) => /msg="completion request" num_predict=1$/.test(l))
        .map((l) => Date.parse(/time=(\S+)/.exec(l)![1]!));
    // Idle again, it is asked for one token.
    await waitFor(async () => (await probes()).some((t) => t > ended), 'a 1-token request once idle');
    expect((await stack.status())[0]).toMatchObject({ state: 'ready', restarts: 0, inference: { result: 'ok' } });
    // While it generates, at most the one check whose window began before its first tokens (it saw too few) asks; every
    // later one sees the runner writing and sends nothing. (Counted from the runner's own receipt of the request: on a
    // loaded machine it may come well after the test sent it.)
    const logs = (await stack.cli(['logs', 'ollama', '-n', '5000'])).stdout.split('\n');
    const received = Date.parse(/time=(\S+)/.exec(logs.find((l) => /msg="completion request" num_predict=160$/.test(l))!)![1]!);
    expect(received).toBeGreaterThanOrEqual(started - 1000);
    expect((await probes()).filter((t) => t > received && t < ended).length).toBeLessThanOrEqual(1);
  });

  it('with no model loaded nothing is checked and nothing is loaded', async () => {
    const stack = await makeStack(ollamaStack(['--tok-s', '20']), 1);
    expect((await stack.cli(['start'])).exitCode).toBe(0);
    const checks = new Set<string>();
    await waitFor(async () => {
      const inference = (await stack.status())[0]!.inference;
      if (inference) {
        expect(inference).toMatchObject({ result: 'unknown', reason: 'no model loaded (no runner process): nothing to check' });
        checks.add(inference.checkedAt);
      }
      return checks.size >= 4;
    }, 'four inference checks');
    const ps = (await (await fetch(`http://127.0.0.1:${stack.ports[0]}/api/ps`)).json()) as { models: unknown[] };
    expect(ps.models).toEqual([]);
    expect((await stack.cli(['logs', 'ollama', '-n', '200'])).stdout).not.toMatch(/starting llama server|completion request/);
    expect((await stack.status())[0]).toMatchObject({ state: 'ready', restarts: 0 });
  });
});
