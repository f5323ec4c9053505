import type { Browser } from 'puppeteer-core';
import { afterEach, describe, expect } from 'vitest';
import { CHROMIUM, launchChromium, runIfChromium as runIt } from '../helpers/chromium.js';
import { makeServeStack, postJson } from '../helpers/serve-stack.js';
import { cleanupAll, findFreePorts, REAL_LLAMA_SERVER, waitFor } from '../helpers/stack.js';

let browser: Browser | null = null;
afterEach(async () => {
  await browser?.close();
  browser = null;
  await cleanupAll();
});

const chat = (model: string) => ({ model, messages: [{ role: 'user', content: 'hi' }], max_tokens: 2 });

describe(`the serve endpoint's activity on the status page (${REAL_LLAMA_SERVER ? 'real llama-server' : 'fixture'})`, () => {
  runIt('GET /api/serve counts requests per model and minute, cold starts and the last requests; the page shows them', async () => {
    expect(CHROMIUM, 'chromium is installed (apt-get install chromium)').toBeTruthy();
    const [port] = await findFreePorts(1);
    const stack = await makeServeStack([{ name: 'alpha', models: ['alpha', 'tiny-a'] }], [], [`http: { listen: "127.0.0.1:${port}" }`]);
    expect((await stack.cli(['start'])).exitCode).toBe(0);
    expect((await postJson(`${stack.serveUrl}/v1/chat/completions`, chat('tiny-a'))).status).toBe(200); // the cold start
    expect((await postJson(`${stack.serveUrl}/v1/chat/completions`, chat('alpha'))).status).toBe(200);
    expect((await postJson(`${stack.serveUrl}/v1/chat/completions`, chat('nope'))).status).toBe(404);

    const web = JSON.parse((await stack.cli(['web', '--json'])).stdout);
    const token = new URL(web.open).searchParams.get('token');
    const activity = await waitFor(async () => {
      const r = await fetch(`http://127.0.0.1:${port}/api/serve`, { headers: { Authorization: `Bearer ${token}` } });
      const body = (await r.json()) as any;
      return body?.last?.length === 3 ? body : null;
    }, 'three requests in /api/serve');
    expect(activity.url).toBe(stack.serveUrl);
    expect(activity.coldStarts).toEqual({ alpha: 1 });
    expect(activity.last.map((l: any) => [l.model, l.service, l.status, l.coldStart])).toEqual([
      ['nope', '-', 404, false],
      ['alpha', 'alpha', 200, false],
      ['tiny-a', 'alpha', 200, true],
    ]);
    const perModel = Object.fromEntries(activity.perMinute.map((m: any) => [m.model, m.counts]));
    expect(perModel['tiny-a']).toHaveLength(60);
    expect(perModel['tiny-a'].at(-1) + (perModel['tiny-a'].at(-2) ?? 0)).toBe(1); // this minute, or the last if it just turned
    expect(activity.queues).toEqual([{ group: 'alpha', depth: 0 }]);

    browser = await launchChromium();
    const page = await browser.newPage();
    await page.setViewport({ width: 390, height: 800 });
    await page.goto(web.open);
    await page.waitForFunction(() => !document.getElementById('serving')!.hidden && document.querySelectorAll('#serve-last tr').length === 3, { timeout: 20_000 });
    const shown = await page.evaluate(() => ({
      url: document.getElementById('serve-url')!.textContent,
      models: [...document.querySelectorAll('[data-serve-model]')].map((e) => e.getAttribute('data-serve-model')),
      bars: document.querySelectorAll('[data-serve-model="tiny-a"] svg.bars rect').length,
      barTitle: document.querySelector('[data-serve-model="tiny-a"] svg.bars rect title')?.textContent,
      facts: document.getElementById('serve-facts')!.textContent,
      firstRow: [...document.querySelectorAll('#serve-last tr')].at(-1)!.textContent,
      wide: document.documentElement.scrollWidth,
    }));
    expect(shown.url).toBe(`${stack.serveUrl}/v1`);
    expect(shown.models.sort()).toEqual(['alpha', 'nope', 'tiny-a']);
    expect(shown.bars).toBe(1);
    expect(shown.barTitle).toMatch(/^\d\d:\d\d:00: 1 request$/);
    expect(shown.facts).toBe('nothing waiting · cold starts: alpha 1');
    expect(shown.firstRow).toMatch(/tiny-a.*alpha.*200.*\(cold start\)/);
    expect(shown.wide).toBeLessThanOrEqual(390); // the table scrolls inside its box, not the page
  });
});
