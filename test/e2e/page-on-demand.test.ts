import type { Browser, Page } from 'puppeteer-core';
import { afterEach, describe, expect } from 'vitest';
import { CHROMIUM, launchChromium, runIfChromium as runIt } from '../helpers/chromium.js';
import { makeServeStack, postJson } from '../helpers/serve-stack.js';
import { cleanupAll, findFreePorts, REAL_LLAMA_SERVER } from '../helpers/stack.js';

let browser: Browser | null = null;
afterEach(async () => {
  await browser?.close();
  browser = null;
  await cleanupAll();
});

const chat = (model: string) => ({ model, messages: [{ role: 'user', content: 'hi' }], max_tokens: 2 });

/** The badge of a service's card: its text and whether it is painted in the page's failure colour. */
const badge = (page: Page, service: string) =>
  page.$eval(`[data-service="${service}"] .state`, (e) => {
    const probe = document.createElement('span');
    probe.style.color = getComputedStyle(document.documentElement).getPropertyValue('--bad');
    document.body.append(probe);
    const bad = getComputedStyle(probe).color;
    probe.remove();
    return { text: e.textContent, red: getComputedStyle(e).backgroundColor === bad, classes: e.className };
  });

describe(`the status page with an on-demand model and no backend section (${REAL_LLAMA_SERVER ? 'real llama-server' : 'fixture'})`, () => {
  runIt('no /api/backend call without a backend section (no 400 in the console); a never-started and an idle-stopped on-demand model read calm, with their reason', async () => {
    expect(CHROMIUM, 'chromium is installed (apt-get install chromium)').toBeTruthy();
    const [port] = await findFreePorts(1);
    const stack = await makeServeStack([{ name: 'alpha', models: ['alpha'], idleStop: '2s' }], [], [`http: { listen: "127.0.0.1:${port}" }`]);
    expect((await stack.cli(['start'])).exitCode).toBe(0);
    const web = JSON.parse((await stack.cli(['web', '--json'])).stdout);

    browser = await launchChromium();
    const page = await browser.newPage();
    const failed: string[] = [];
    const asked: string[] = [];
    page.on('request', (r) => void asked.push(new URL(r.url()).pathname));
    page.on('response', (r) => void (r.status() >= 400 && failed.push(`${r.status()} ${new URL(r.url()).pathname}${new URL(r.url()).search}`)));
    page.on('console', (m) => void (m.type() === 'error' && failed.push(`console: ${m.text()}`)));
    page.on('pageerror', (e) => void failed.push(String(e)));
    await page.setViewport({ width: 1280, height: 900 });
    await page.goto(web.open);
    await page.waitForFunction(() => document.querySelector('[data-service="alpha"]')?.getAttribute('data-state') === 'stopped', { timeout: 20_000 });

    // Never started, waiting for its first request: no failure.
    await page.waitForFunction(() => document.querySelector('[data-service="alpha"] .state')?.textContent === 'stopped · on demand', { timeout: 10_000 });
    expect(await badge(page, 'alpha')).toMatchObject({ red: false });
    await page.waitForFunction(() => document.querySelector('[data-models="alpha"] .calm')?.textContent === 'stopped · on demand', { timeout: 10_000 });
    expect(await page.$('[data-models="alpha"] .error')).toBeNull(); // was `alpha is stopped` in red

    // Started by a request, then stopped for being idle: the reason, calm.
    expect((await postJson(`${stack.serveUrl}/v1/chat/completions`, chat('alpha'))).status).toBe(200);
    await page.waitForFunction(() => document.querySelector('[data-service="alpha"] .state')?.textContent === 'stopped · idle 2s', { timeout: 20_000 });
    expect(await badge(page, 'alpha')).toMatchObject({ red: false });
    expect(await page.$eval('[data-service="alpha"] .error', (e) => e.textContent)).toBe('');
    await page.waitForFunction(() => document.querySelector('[data-models="alpha"] .calm')?.textContent === 'stopped · idle 2s', { timeout: 10_000 });
    expect(await page.$('[data-models="alpha"] .error')).toBeNull();

    // The glance refreshed on each state change, yet never asked for a backend the config does not have.
    await page.waitForFunction(() => document.getElementById('backend')!.hidden, { timeout: 5_000 });
    expect(asked).toContain('/api/daemon');
    expect(asked.filter((p) => p.startsWith('/api/backend'))).toEqual([]);
    expect(failed).toEqual([]);
  });
});
