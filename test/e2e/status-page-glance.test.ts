import { execFileSync, spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import type { Browser, Page } from 'puppeteer-core';
import { afterEach, describe, expect } from 'vitest';
import { CHROMIUM, launchChromium, runIfChromium as runIt } from '../helpers/chromium.js';
import { cleanupAll, findFreePorts, killEverythingUnder, makeStack, NODE, threeServices } from '../helpers/stack.js';

let browser: Browser | null = null;
afterEach(async () => {
  await browser?.close();
  browser = null;
  await cleanupAll();
});

/** A backend the app serves itself whose check fails: a switch to it is refused with the check's last line. */
const backendYaml = (dir: string) => {
  fs.writeFileSync(path.join(dir, 'builtin-check.mjs'), "console.log('no model file in ./models'); process.exit(1);\n");
  return `backend:
  app: chat
  file: ./chat.json
  key: backend.active
  choices: { llamacpp: llama, ollama: ollama, builtin: null }
  health:
    builtin: { command: [${JSON.stringify(NODE)}, ./builtin-check.mjs] }
`;
};

/** A real full disk needs a small filesystem of our own: a tmpfs, which only root can mount. */
function canMountTmpfs(): boolean {
  if (process.getuid?.() !== 0) return false;
  const probe = fs.mkdtempSync('/tmp/lt-tmpfs-probe-');
  const ok = spawnSync('mount', ['-t', 'tmpfs', '-o', 'size=1m', 'tmpfs', probe]).status === 0;
  if (ok) spawnSync('umount', [probe]);
  fs.rmdirSync(probe);
  return ok;
}

const points = (page: Page, service: string, metric: string) =>
  page.$eval(`[data-service="${service}"] figure[data-metric="${metric}"]`, (f) => Number(f.getAttribute('data-points'))).catch(() => 0);

describe('the status page: charts, the stack at a glance, logs', () => {
  runIt('charts fill from the history and SSE with restart marks; the backend picker switches and shows a refusal; logs follow and search; nothing leaves this host', async () => {
    expect(CHROMIUM, 'chromium is installed (apt-get install chromium)').toBeTruthy();
    const [port] = await findFreePorts(1);
    let dir = '';
    const stack = await makeStack((ports, d) => {
      dir = d;
      return threeServices({ top: `http: { listen: "127.0.0.1:${port}" }\nmetrics: { interval: 300ms }\n${backendYaml(d)}`, llama: '    env: { FAKE_LLAMA_BUILD: "4748" }' })(ports, d);
    });
    expect((await stack.cli(['start'])).exitCode).toBe(0);
    const web = JSON.parse((await stack.cli(['web', '--json'])).stdout);
    browser = await launchChromium();
    const page = await browser.newPage();
    const requested: string[] = [];
    page.on('request', (r) => void requested.push(r.url()));
    const errors: string[] = [];
    page.on('pageerror', (e) => void errors.push(String(e)));
    page.on('console', (m) => void (m.type() === 'error' && !/Failed to load resource/.test(m.text()) && errors.push(m.text())));
    await page.evaluateOnNewDocument(() => {
      (window as any).violations = [];
      document.addEventListener('securitypolicyviolation', (e) => (window as any).violations.push(`${e.violatedDirective} ${e.blockedURI}`));
    });
    await page.setViewport({ width: 1280, height: 900 });
    await page.goto(web.open);
    await page.waitForFunction(() => ['llama', 'ollama', 'chat'].every((n) => document.querySelector(`[data-service="${n}"]`)?.getAttribute('data-state') === 'ready'), { timeout: 20_000 });

    // After a few sampling intervals every card has CPU and memory charts with points; the LLM server has tok/s.
    await page.waitForFunction(
      () => ['llama', 'ollama', 'chat'].every((n) => ['cpu', 'memory'].every((m) => Number(document.querySelector(`[data-service="${n}"] figure[data-metric="${m}"]`)?.getAttribute('data-points')) >= 3)),
      { timeout: 20_000 },
    );
    await page.waitForFunction(() => Number(document.querySelector('[data-service="llama"] figure[data-metric="tokensPerSecond"]')?.getAttribute('data-points')) >= 1, { timeout: 20_000 });
    // …and they keep growing live (SSE `sample` events, not a reload).
    const before = await points(page, 'chat', 'memory');
    await page.waitForFunction((n) => Number(document.querySelector('[data-service="chat"] figure[data-metric="memory"]')?.getAttribute('data-points')) > n, { timeout: 10_000 }, before);
    expect(await page.$$eval('[data-service="chat"] canvas', (c) => c.length)).toBeGreaterThanOrEqual(2);

    // Hovering a chart shows the value and the time under the pointer.
    const over = await page.$('[data-service="llama"] figure[data-metric="memory"] .u-over');
    const box = (await over!.boundingBox())!;
    await page.mouse.move(box.x + box.width - 3, box.y + box.height / 2);
    await page.waitForFunction(() => /\d\d:\d\d:\d\d[\s\S]*\d+(\.\d)? MB/.test((document.querySelector('[data-service="llama"] figure[data-metric="memory"] .u-legend') as HTMLElement).innerText), { timeout: 5000 });

    await page.mouse.move(0, 0);
    // The keyboard does what the pointer does: focus a chart, ← → step through the points.
    await page.focus('[data-service="chat"] figure[data-metric="cpu"]');
    await page.keyboard.press('End');
    await page.keyboard.press('ArrowLeft');
    await page.waitForFunction(() => /\d\d:\d\d:\d\d[\s\S]*\d+(\.\d)? %/.test((document.querySelector('[data-service="chat"] figure[data-metric="cpu"] .u-legend') as HTMLElement).innerText), { timeout: 5000 });
    expect(await page.$eval('[data-service="chat"] figure[data-metric="cpu"] .u-legend', (e) => getComputedStyle(e).visibility)).toBe('visible');

    // A restart is a mark on the charts' time line, live.
    expect(await page.$$('[data-service="llama"] .mark[data-event="restart"]')).toHaveLength(0);
    expect((await stack.cli(['restart', 'llama'])).exitCode).toBe(0);
    await page.waitForSelector('[data-service="llama"] figure[data-metric="cpu"] .mark[data-event="restart"]', { timeout: 15_000 });
    expect(await page.$eval('[data-service="llama"] .mark[data-event="restart"]', (m) => m.getAttribute('title'))).toMatch(/^restarted at \d\d:\d\d:\d\d/);

    // The backend picker: each choice's health, a ✗ with its reason.
    await page.waitForSelector('#backend:not([hidden]) [data-backend="builtin"] .health.bad', { timeout: 20_000 });
    expect(await page.$eval('[data-backend="builtin"]', (e) => (e as HTMLElement).innerText)).toMatch(/builtin[\s\S]*✗[\s\S]*no model file in \.\/models/);
    // (llama has just restarted: its choice turns ✓ once it is ready again, without a reload)
    await page.waitForFunction(() => /llamacpp[\s\S]*→ llama[\s\S]*✓[\s\S]*active/.test((document.querySelector('[data-backend="llamacpp"]') as HTMLElement).innerText), { timeout: 20_000 });
    expect(await page.$eval('[data-backend="ollama"] .health', (e) => e.textContent)).toBe('✓');
    // A refusal says why, and the app stays where it was.
    await page.click('#backend-builtin');
    await page.click('#backend-switch');
    await page.waitForFunction(() => document.querySelector('#backend-result')?.classList.contains('error'), { timeout: 30_000 });
    expect(await page.$eval('#backend-result', (e) => e.textContent)).toMatch(/switch to builtin refused: no model file in \.\/models \(the app stays on llamacpp/);
    expect(JSON.parse(fs.readFileSync(path.join(dir, 'chat.json'), 'utf8')).backend.active).toBe('llamacpp');
    // A switch by keyboard alone: focus the ollama choice, Space selects it, Enter on the button submits.
    await page.focus('#backend-ollama');
    await page.keyboard.press('Space');
    await page.focus('#backend-switch');
    await page.keyboard.press('Enter');
    await page.waitForFunction(() => /switched llamacpp → ollama/.test(document.querySelector('#backend-result')?.textContent ?? ''), { timeout: 60_000 });
    expect(JSON.parse(fs.readFileSync(path.join(dir, 'chat.json'), 'utf8')).backend.active).toBe('ollama');
    await page.waitForFunction(() => /active/.test((document.querySelector('[data-backend="ollama"]') as HTMLElement)?.innerText ?? ''), { timeout: 20_000 });
    // The switch is a mark on the app's charts.
    await page.waitForSelector('[data-service="chat"] .mark[data-event="backend-switch"]', { timeout: 15_000 });

    // Models: the GGUF header's facts.
    await page.waitForFunction(() => /llama \(llama-server\)[\s\S]*llama · \d+(\.\d)?M params[\s\S]*ctx \d+/.test((document.querySelector('[data-models="llama"]') as HTMLElement)?.innerText ?? ''), { timeout: 20_000 });
    // ollama's loaded model with its unload countdown, which moves by itself.
    const unload = () => page.$eval('[data-models="ollama"] [data-loaded]', (e) => e.textContent!).catch(() => '');
    await page.waitForFunction(() => /loaded · .* VRAM · unloads in \d+m \d\ds/.test(document.querySelector('[data-models="ollama"] [data-loaded]')?.textContent ?? ''), { timeout: 20_000 });
    const first = await unload();
    await page.waitForFunction((t) => document.querySelector('[data-models="ollama"] [data-loaded]')?.textContent !== t, { timeout: 5000 }, first);

    // Logs: follow the llama log; a completion's line arrives live; llama-top's own GET /health lines are folded.
    await page.select('#log-service', 'llama');
    await page.waitForFunction(() => /server is listening/.test(document.querySelector('#log-lines')?.textContent ?? ''), { timeout: 10_000 });
    const res = await fetch(`http://127.0.0.1:${stack.ports[0]}/completion`, { method: 'POST', body: JSON.stringify({ prompt: 'hi', n_predict: 4 }) });
    expect(res.status).toBe(200);
    await page.waitForFunction(() => /POST \/completion/.test(document.querySelector('#log-lines')?.textContent ?? ''), { timeout: 10_000 });
    expect(await page.$eval('#log-lines', (e) => e.textContent)).not.toMatch(/GET \/health/);
    // Search: the matches are marked and counted.
    await page.type('#log-search', 'completion');
    await page.waitForFunction(() => Number(document.querySelector('#log-matches')?.getAttribute('data-count')) >= 1, { timeout: 5000 });
    const marked = await page.$$eval('#log-lines mark', (m) => m.map((x) => x.textContent));
    expect(marked.length).toBe(Number(await page.$eval('#log-matches', (e) => e.getAttribute('data-count'))));
    expect(marked.every((t) => t!.toLowerCase() === 'completion')).toBe(true);
    expect(await page.$eval('#log-matches', (e) => e.textContent)).toMatch(/^\d+ match(es)?$/);
    await page.keyboard.press('Enter');
    expect(await page.$eval('#log-matches', (e) => e.textContent)).toMatch(/^match 1\/\d+$/);
    // Unfolded, llama-top's probes show (the fixture logs every GET as b4748 does).
    await page.click('#log-fold');
    await page.waitForFunction(() => /GET \/(health|metrics)/.test(document.querySelector('#log-lines')?.textContent ?? ''), { timeout: 15_000 });
    // Follow off: new lines no longer arrive.
    await page.click('#log-follow');
    const shown = await page.$eval('#log-lines', (e) => e.textContent!.length);
    await fetch(`http://127.0.0.1:${stack.ports[0]}/completion`, { method: 'POST', body: JSON.stringify({ prompt: 'again', n_predict: 2 }) });
    // (the daemon's own probes keep writing lines every sample: a followed, unfolded view would grow meanwhile)
    await page.waitForFunction(async () => {
      const r = await fetch('/api/services/llama/logs?lines=5');
      return /POST \/completion/.test(JSON.stringify(await r.json()));
    }, { timeout: 5000 });
    expect(await page.$eval('#log-lines', (e) => e.textContent!.length)).toBe(shown);

    // At 390 px: one column, nothing wider than the screen.
    await page.setViewport({ width: 390, height: 844 });
    await page.waitForFunction(() => document.documentElement.scrollWidth <= 390, { timeout: 5000 });
    const cardWidth = await page.$eval('[data-service="llama"]', (e) => e.getBoundingClientRect().width);
    expect(cardWidth).toBeLessThanOrEqual(390);
    await page.waitForFunction(() => (document.querySelector('[data-service="llama"] figure[data-metric="cpu"] canvas') as HTMLCanvasElement).getBoundingClientRect().width <= 370, { timeout: 5000 });

    // Every control has a name a screen reader says.
    const unnamed = await page.$$eval('button, input, select', (els) => els.filter((e) => !(e as HTMLElement).innerText?.trim() && !e.getAttribute('aria-label') && !(e as HTMLInputElement).labels?.length).map((e) => e.outerHTML));
    expect(unnamed).toEqual([]);

    // Nothing went to another host, and the CSP blocked nothing the page needs.
    const origin = `http://127.0.0.1:${port}`;
    expect(requested.length).toBeGreaterThan(5);
    expect(requested.filter((u) => !u.startsWith(`${origin}/`))).toEqual([]);
    expect(requested.some((u) => u === `${origin}/vendor/uplot.js`)).toBe(true);
    expect(await page.evaluate(() => (window as any).violations)).toEqual([]);
    expect(errors).toEqual([]);
  });
});

describe("the status page: the daemon's problems", () => {
  runIt.skipIf(!canMountTmpfs())('a full disk under the logs is a banner that says who cannot write, gone once space is back (needs root for mount)', async () => {
    const [port] = await findFreePorts(1);
    const stack = await makeStack(() => `http: { listen: "127.0.0.1:${port}" }
logs: { dir: ./disk }
services:
  talker:
    kind: process
    command: [${JSON.stringify(NODE)}, -e, "setInterval(() => console.log('talk'), 200)"]
    readyAfter: 50ms
`, 0);
    const disk = path.join(stack.dir, 'disk');
    fs.mkdirSync(disk);
    execFileSync('mount', ['-t', 'tmpfs', '-o', 'size=4m,mode=700', 'tmpfs', disk]);
    try {
      expect((await stack.cli(['start'])).exitCode).toBe(0);
      const web = JSON.parse((await stack.cli(['web', '--json'])).stdout);
      browser = await launchChromium();
      const page = await browser.newPage();
      await page.goto(web.open);
      await page.waitForFunction(() => document.querySelector('[data-service="talker"]')?.getAttribute('data-state') === 'ready', { timeout: 20_000 });
      expect(await page.$eval('#problems', (e) => (e as HTMLElement).hidden)).toBe(true);
      const filler = path.join(disk, 'filler');
      const fd = fs.openSync(filler, 'w');
      try {
        for (;;) fs.writeSync(fd, Buffer.alloc(64 * 1024, 120));
      } catch (error) {
        if ((error as NodeJS.ErrnoException).code !== 'ENOSPC') throw error;
      }
      fs.closeSync(fd);
      await page.waitForFunction(() => !(document.querySelector('#problems') as HTMLElement).hidden, { timeout: 20_000 });
      expect(await page.$eval('#problems', (e) => (e as HTMLElement).innerText)).toMatch(/disk full: .*disk.*the output of talker is dropped until space returns/);
      fs.rmSync(filler);
      await page.waitForFunction(() => (document.querySelector('#problems') as HTMLElement).hidden, { timeout: 20_000 });
    } finally {
      await browser?.close();
      browser = null;
      await stack.cli(['daemon', 'stop', '--all'], { timeout: 30_000 });
      killEverythingUnder(stack.dir);
      spawnSync('umount', ['-l', disk]);
    }
  });
});
