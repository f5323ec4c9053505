import fs from 'node:fs';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { BYTES_PER_POINT, COARSE_POINTS, MAX_FINE_POINTS } from '../../src/daemon/history-ring.js';
import { cleanupAll, findFreePorts, llamaServerCommand, makeStack, NODE, REAL_LLAMA_SERVER, TINY_GGUF, waitFor } from '../helpers/stack.js';

// Runs against a real llama.cpp llama-server when LLAMA_SERVER names one, else against the fixture.
afterEach(cleanupAll);
const against = REAL_LLAMA_SERVER ? `the real llama-server (${REAL_LLAMA_SERVER})` : 'the llama-server fixture (set LLAMA_SERVER for the real one)';

const KEYS = ['cpu', 'memory', 'processing', 'samples', 'slotsBusy', 't', 'tokensPerSecond'];

describe(`GET /api/history against ${against}`, () => {
  it('answers each service\'s points and the marks, within its bounds, at a fixed memory cost with a 100 ms sampling interval', async () => {
    const [port] = await findFreePorts(1);
    const stack = await makeStack((ports, dir) => {
      fs.copyFileSync(TINY_GGUF, path.join(dir, 'tiny.gguf'));
      return `http: { listen: "127.0.0.1:${port}" }
metrics: { interval: 100ms }
restart: { maxRetries: 0 }
services:
  llama:
    kind: llama-server
    command: ${JSON.stringify(llamaServerCommand())}
    model: ./tiny.gguf
    port: ${ports[0]}
    args: [-t, "1"]
    stopTimeout: 5s
  worker:
    kind: process
    command: [${JSON.stringify(NODE)}, -e, "setInterval(() => {}, 1000)"]
    readyAfter: 100ms
`;
    }, 1);
    expect((await stack.cli(['start'])).exitCode).toBe(0);
    const token = new URL(JSON.parse((await stack.cli(['web', '--json'])).stdout).open).searchParams.get('token');
    const get = async (p: string) => {
      const r = await fetch(`http://127.0.0.1:${port}${p}`, { headers: { Authorization: `Bearer ${token}` } });
      return { status: r.status, body: (await r.json()) as any };
    };
    const began = Date.now();

    // Live: an SSE client (the page) gets a `sample` event per sampling interval. (Someone watching also makes
    // the daemon sample every interval rather than every 10 s.)
    const events = new AbortController();
    const samples: any[] = [];
    const stream = fetch(`http://127.0.0.1:${port}/api/events`, { headers: { Authorization: `Bearer ${token}` }, signal: events.signal }).then(async (r) => {
      const decoder = new TextDecoder();
      let buffer = '';
      for await (const chunk of r.body as any) {
        buffer += decoder.decode(chunk, { stream: true });
        for (let end; (end = buffer.indexOf('\n\n')) >= 0; buffer = buffer.slice(end + 2)) {
          const block = buffer.slice(0, end);
          if (/^event: sample$/m.test(block)) samples.push(JSON.parse(/^data: (.*)$/m.exec(block)![1]!));
        }
      }
    }).catch(() => undefined);

    // Generation shows in the points as tok/s.
    const withTokens = await waitFor(async () => {
      await fetch(`http://127.0.0.1:${stack.ports[0]}/completion`, { method: 'POST', body: JSON.stringify({ prompt: 'hello', n_predict: 16 }) });
      const { body } = await get('/api/history');
      return body.services.llama?.some((p: any) => p.tokensPerSecond > 0) ? body : null;
    }, 'a history point of llama with tokens per second', 60_000, 300);
    expect(Object.keys(withTokens.services).sort()).toEqual(['llama', 'worker']);
    expect(withTokens.intervalMs).toBe(100);
    for (const name of ['llama', 'worker']) {
      const pts = withTokens.services[name];
      expect(pts.length).toBeGreaterThan(0);
      for (const p of pts) expect(Object.keys(p).sort()).toEqual(KEYS);
      for (let i = 1; i < pts.length; i++) expect(pts[i].t).toBeGreaterThan(pts[i - 1].t);
      const last = pts.at(-1);
      expect(last.t).toBeGreaterThanOrEqual(began - 1000);
      expect(last.t).toBeLessThanOrEqual(Date.now());
      expect(last.memory).toBeGreaterThan(1_000_000);
      expect(last.cpu).toBeGreaterThanOrEqual(0);
    }
    // Only an LLM server has LLM figures.
    expect(withTokens.services.worker.every((p: any) => p.tokensPerSecond === null && p.processing === null)).toBe(true);
    expect(withTokens.services.llama.some((p: any) => p.processing !== null)).toBe(true);
    await waitFor(() => samples.some((s) => s.services.llama && s.services.worker), 'an SSE sample event with both services', 10_000);

    // Bounds: samples every 100 ms make at most one point per second (a bucket is at least 1 s), so the points
    // never outrun the clock; the rings' bytes are fixed per service from the first sample on.
    const { body: first } = await get('/api/history?service=llama');
    expect(Object.keys(first.services)).toEqual(['llama']);
    expect(first.ringBytes).toBe(2 * (MAX_FINE_POINTS + COARSE_POINTS) * BYTES_PER_POINT);
    await waitFor(() => samples.length >= 40, '40 sample events (4 s at 100 ms)', 30_000);
    const { body: later } = await get('/api/history?service=llama');
    expect(later.ringBytes).toBe(first.ringBytes);
    const seconds = (Date.now() - began) / 1000;
    expect(later.services.llama.length).toBeLessThanOrEqual(Math.ceil(seconds) + 2);
    expect(later.services.llama.length).toBeGreaterThan(first.services.llama.length);
    expect(later.services.llama.some((p: any) => p.samples > 1)).toBe(true); // several samples averaged into one point
    // since=SECONDS: only the last SECONDS.
    const { body: recent } = await get('/api/history?since=2');
    const asked = Date.now();
    for (const pts of Object.values(recent.services) as any[][]) for (const p of pts) expect(p.t).toBeGreaterThanOrEqual(asked - 2000 - 1500);
    expect(recent.services.llama.length).toBeLessThan(later.services.llama.length);

    // A restart is a mark on the same time line.
    expect((await stack.cli(['restart', 'llama'])).exitCode).toBe(0);
    const { body: marked } = await get('/api/history?service=llama');
    const restart = marked.events.find((e: any) => e.event === 'restart');
    expect(restart).toMatchObject({ service: 'llama', event: 'restart' });
    expect(restart.t).toBeGreaterThan(began);
    expect(marked.events.every((e: any) => e.service === 'llama' || e.service === null)).toBe(true);

    // Errors a client can act on.
    const unknown = await get('/api/history?service=nope');
    expect(unknown.status).toBe(404);
    expect(unknown.body.error.message).toMatch(/unknown service "nope" \(services: llama, worker\)/);
    const bad = await get('/api/history?since=yesterday');
    expect(bad.status).toBe(400);
    expect(bad.body.error.message).toMatch(/since=SECONDS/);
    events.abort();
    await stream;
  });
});

describe("the status page's files", () => {
  it('are served from the package to a token holder only, under a CSP that allows this listener alone; nothing outside the page folder', async () => {
    const [port] = await findFreePorts(1);
    const stack = await makeStack(() => `http: { listen: "127.0.0.1:${port}" }
services:
  worker:
    kind: process
    command: [${JSON.stringify(NODE)}, -e, "setInterval(() => {}, 1000)"]
`, 0);
    expect((await stack.cli(['start'])).exitCode).toBe(0);
    const token = new URL(JSON.parse((await stack.cli(['web', '--json'])).stdout).open).searchParams.get('token');
    const get = (p: string, auth = true) => fetch(`http://127.0.0.1:${port}${p}`, { headers: auth ? { Authorization: `Bearer ${token}` } : {} });
    for (const p of ['/', '/page/app.js', '/page/style.css', '/vendor/uplot.js', '/vendor/uplot.css']) expect((await get(p, false)).status, p).toBe(401);
    const index = await get('/');
    expect(index.status).toBe(200);
    expect(index.headers.get('content-security-policy')).toMatch(/default-src 'none'; script-src 'self'; style-src 'self';.*connect-src 'self'/);
    const html = await index.text();
    // Every file the page names is one of the listener's own paths, and each is served.
    const refs = [...html.matchAll(/(?:src|href)="([^"]+)"/g)].map((m) => m[1]!).filter((r) => !r.startsWith('data:')); // (the empty icon: no request)
    expect(refs.sort()).toEqual(['/page/app.js', '/page/style.css', '/vendor/uplot.css', '/vendor/uplot.js']);
    const js = await get('/page/app.js');
    expect(js.headers.get('content-type')).toBe('text/javascript; charset=utf-8');
    expect(await js.text()).toMatch(/new EventSource\('\/api\/events'\)/);
    // The modules app.js imports are there too; the charting library is uPlot from node_modules.
    for (const name of ['cards', 'charts', 'format', 'glance', 'logs']) expect((await get(`/page/${name}.js`)).status, name).toBe(200);
    expect(await (await get('/vendor/uplot.js')).text()).toMatch(/uPlot/);
    // Nothing but the page's own names: no way out of its folder, no other file of the package.
    for (const p of ['/page/../daemon/daemon.js', '/page/%2e%2e/daemon/daemon.js', '/page/index.html.bak', '/page/nope.js', '/vendor/other.js']) expect((await get(p)).status, p).toBe(404);
    expect((await fetch(`http://127.0.0.1:${port}/page/app.js`, { method: 'POST', headers: { Authorization: `Bearer ${token}` } })).status).toBe(405);
  });
});
