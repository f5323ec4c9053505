import fs from 'node:fs';
import { afterEach, describe, expect, it } from 'vitest';
import { cleanupAll, findFreePorts, REAL_LLAMA_SERVER, waitFor } from '../helpers/stack.js';
import { makeServeStack, postJson } from '../helpers/serve-stack.js';

afterEach(cleanupAll);

const chat = (model: string) => ({ model, messages: [{ role: 'user', content: 'hi' }], max_tokens: 2 });

/** Pids of live processes started with `--port PORT` (a server of the stack), read from /proc. */
function serversOn(port: number): number[] {
  const out: number[] = [];
  for (const entry of fs.readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const argv = fs.readFileSync(`/proc/${entry}/cmdline`, 'utf8').split('\0');
      const stat = fs.readFileSync(`/proc/${entry}/stat`, 'utf8');
      if (stat.slice(stat.lastIndexOf(')') + 2, stat.lastIndexOf(')') + 3) === 'Z') continue;
      const at = argv.indexOf('--port');
      if (at >= 0 && argv[at + 1] === String(port)) out.push(Number(entry));
    } catch {
      // gone meanwhile
    }
  }
  return out;
}

/** Samples both servers' processes every few ms until stopped: how many samples saw both alive at once. */
function sampleOverlap(portA: number, portB: number): { stop(): { samples: number; both: number; sawA: number; sawB: number } } {
  let samples = 0;
  let both = 0;
  let sawA = 0;
  let sawB = 0;
  const timer = setInterval(() => {
    const a = serversOn(portA).length > 0;
    const b = serversOn(portB).length > 0;
    samples++;
    if (a) sawA++;
    if (b) sawB++;
    if (a && b) both++;
  }, 5);
  return {
    stop() {
      clearInterval(timer);
      return { samples, both, sawA, sawB };
    },
  };
}

describe(`serve endpoint: groups and idle stop (${REAL_LLAMA_SERVER ? 'real llama-server' : 'fixture'})`, () => {
  it('swaps the members of a group: never both running, one swap for all the requests that wait for it, in arrival order', async () => {
    const [httpPort] = await findFreePorts(1);
    const stack = await makeServeStack(
      [
        { name: 'alpha', group: 'gpu0', fakeArgs: ['--load-ms', '300'] },
        { name: 'beta', group: 'gpu0', fakeArgs: ['--load-ms', '2500'] },
      ],
      [],
      [`http: { listen: 127.0.0.1:${httpPort} }`],
    );
    const [alphaPort, betaPort] = stack.ports;
    expect((await stack.cli(['start'])).exitCode).toBe(0);
    const sampler = sampleOverlap(alphaPort!, betaPort!);
    expect((await postJson(`${stack.serveUrl}/v1/chat/completions`, chat('alpha'))).status).toBe(200);
    // Three requests for beta at once, then one for alpha: beta is swapped in once and answers all three, then alpha.
    const asked = Promise.all([
      postJson(`${stack.serveUrl}/v1/chat/completions`, chat('beta')),
      postJson(`${stack.serveUrl}/v1/chat/completions`, chat('beta')),
      postJson(`${stack.serveUrl}/v1/chat/completions`, chat('beta')),
    ]);
    if (!REAL_LLAMA_SERVER) {
      // While beta loads (the fixture takes 2.5 s), status shows the queue.
      const table = await waitFor(async () => {
        const run = await stack.cli(['status']);
        return /beta\s+llama-server\s+loading model.*\s3 waiting/.test(run.stdout) ? run.stdout : null;
      }, 'status to show 3 requests waiting for beta', 20_000, 100);
      expect(table).toMatch(/SERVE/);
    }
    const answers = await asked;
    expect(answers.map((a) => a.status)).toEqual([200, 200, 200]);
    let [alpha, beta] = await stack.status();
    expect(alpha!.state).toBe('stopped');
    expect(alpha!.stopReason).toBe('swapped out for beta');
    expect(beta!.state).toBe('ready');
    expect((await postJson(`${stack.serveUrl}/v1/chat/completions`, chat('alpha'))).status).toBe(200);
    [alpha, beta] = await stack.status();
    expect(alpha!.state).toBe('ready');
    expect(beta!.state).toBe('stopped');

    const log = (await stack.cli(['logs', 'serve'])).stdout;
    const swaps = log.split('\n').filter((l) => / swap gpu0: /.test(l));
    expect(swaps).toHaveLength(2);
    expect(swaps[0]).toMatch(/ swap gpu0: alpha -> beta: drain \d+ms, stop \d+ms, (VRAM wait \d+ms|no GPU to wait for), load \d+ms$/);
    expect(swaps[1]).toMatch(/ swap gpu0: beta -> alpha: /);
    // One cold start per swap, however many requests waited for it.
    const metrics = await fetch(`${stack.serveUrl}/metrics`).then((r) => r.text());
    expect(metrics).toMatch(/^llama_top_serve_cold_starts_total\{service="beta",stack="serve-test"\} 1$/m);
    expect(metrics).toMatch(/^llama_top_serve_cold_starts_total\{service="alpha",stack="serve-test"\} 2$/m);
    expect(metrics).toMatch(/^llama_top_serve_requests_total\{model="beta",service="beta",code="200",stack="serve-test"\} 3$/m);
    expect(metrics).toMatch(/^llama_top_serve_queue_depth\{group="gpu0",stack="serve-test"\} 0$/m);
    expect(metrics).toMatch(/^llama_top_serve_wait_seconds_count\{service="beta",stack="serve-test"\} 3$/m);
    expect(metrics).toMatch(/^llama_top_serve_request_seconds_bucket\{service="alpha",stack="serve-test",le="\+Inf"\} 2$/m);
    // The daemon's own /metrics (what Prometheus scrapes) carries them too, after the services' figures.
    const info = JSON.parse((await stack.cli(['daemon', 'status', '--json'])).stdout);
    const token = fs.readFileSync(info.http.tokenFile, 'utf8').trim();
    const scraped = await fetch(`http://127.0.0.1:${httpPort}/metrics`, { headers: { authorization: `Bearer ${token}` } }).then((r) => r.text());
    expect(scraped).toMatch(/^llama_top_service_up\{service="alpha",kind="llama-server",stack="serve-test"\} 1$/m);
    expect(scraped).toMatch(/^llama_top_serve_requests_total\{model="beta",service="beta",code="200",stack="serve-test"\} 3$/m);

    // A start by hand keeps the rule too: alpha is stopped before beta starts.
    const manual = await stack.cli(['start', 'beta']);
    expect(manual.exitCode).toBe(0);
    [alpha, beta] = await stack.status();
    expect(beta!.state).toBe('ready');
    expect(alpha!.state).toBe('stopped');
    expect(alpha!.stopReason).toBe('swapped out for beta');
    const seen = sampler.stop();
    // Both ran in turn, and no sample of the process table ever saw both.
    expect(seen.sawA).toBeGreaterThan(0);
    expect(seen.sawB).toBeGreaterThan(0);
    expect(seen.both).toBe(0);
  });

  it('stops a service idle for idleStop (status says why) and starts it again on the next request', async () => {
    const stack = await makeServeStack([{ name: 'alpha', idleStop: '4s' }]);
    expect((await stack.cli(['start'])).exitCode).toBe(0);
    expect((await postJson(`${stack.serveUrl}/v1/chat/completions`, chat('alpha'))).status).toBe(200);
    const table = await stack.cli(['status']);
    expect(table.stdout).toMatch(/alpha\s+llama-server\s+ready\s.*idle stop in \ds/);
    const running = (await stack.status())[0]!;
    expect(['ready', 'stopping', 'stopped']).toContain(running.state);
    if (running.state === 'ready') expect(Date.parse(running.serve.idleStopAt)).toBeGreaterThan(Date.now() - 1000);

    const stopped = await waitFor(async () => {
      const [s] = await stack.status();
      return s!.state === 'stopped' ? s : null;
    }, 'the idle stop', 30_000, 200);
    expect(stopped.stopReason).toBe('idle 4s');
    expect(stopped.lastError).toBeNull();
    expect((await stack.cli(['status'])).stdout).toMatch(/○\s+alpha\s+llama-server\s+stopped · idle 4s\s/);
    expect((await stack.cli(['logs', 'serve'])).stdout).toMatch(/ idle stop alpha: idle 4s$/m);

    const again = await postJson(`${stack.serveUrl}/v1/chat/completions`, chat('alpha'));
    expect(again.status).toBe(200);
    const restarted = (await stack.status())[0]!;
    expect(restarted.state).toBe('ready');
    expect(restarted.stopReason).toBeNull();
  });
});

describe('serve endpoint: a swap waits for the answer in flight, and says so (fixture: a paced answer)', () => {
  it('the running member is draining (1 in flight) with its cut time while a request for the other waits; the answer completes', async () => {
    const stack = await makeServeStack([
      // 300 tokens at 20/s: a 15-s window for the status calls to see the drain on a loaded machine (3 s was missed).
      { name: 'alpha', group: 'gpu0', fakeArgs: ['--tok-s', '20'], extra: ['drainTimeout: 120s'], fixtureOnly: true },
      { name: 'beta', group: 'gpu0', fixtureOnly: true },
    ]);
    expect((await stack.cli(['start'])).exitCode).toBe(0);
    expect((await postJson(`${stack.serveUrl}/v1/chat/completions`, chat('alpha'))).status).toBe(200); // alpha runs
    const long = postJson(`${stack.serveUrl}/v1/chat/completions`, { model: 'alpha', messages: [{ role: 'user', content: 'a story' }], max_tokens: 300 });
    await waitFor(async () => (await stack.status())[0]!.serve?.inFlight === 1, 'the long answer in flight');
    const swap = postJson(`${stack.serveUrl}/v1/chat/completions`, chat('beta'));
    const alpha = await waitFor(async () => {
      const s = (await stack.status())[0]!;
      return s.state === 'draining' ? s : null;
    }, 'alpha draining for the swap');
    expect(alpha.drain!.inFlight).toBe(1);
    expect(Date.parse(alpha.drain!.cutAt)).toBeGreaterThan(Date.now());
    expect((await stack.cli(['status'])).stdout).toMatch(/alpha\s+llama-server\s+draining \(1 in flight\)/);
    const [first, second] = await Promise.all([long, swap]);
    expect(first.status).toBe(200);
    expect(first.json.choices[0].finish_reason).toBe('length'); // whole, not cut
    expect(second.status).toBe(200);
    expect((await stack.status()).map((s) => s.state)).toEqual(['stopped', 'ready']);
  });
});
