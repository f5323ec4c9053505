import type { Browser } from 'puppeteer-core';
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

describe(`the status page with an on-demand model and no backend section (${REAL_LLAMA_SERVER ? 'real llama-server' : 'fixture'})`, () => {
  runIt('no /api/backend call without a backend section (no 400 in the console)', async () => {
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

    // A state change makes the page refresh the glance (the backend picker among it).
    expect((await postJson(`${stack.serveUrl}/v1/chat/completions`, chat('alpha'))).status).toBe(200);
    await page.waitForFunction(() => document.querySelector('[data-service="alpha"]')?.getAttribute('data-state') === 'ready', { timeout: 20_000 });
    await page.waitForFunction(() => document.querySelector('[data-service="alpha"]')?.getAttribute('data-state') === 'stopped', { timeout: 20_000 });
    await page.waitForFunction(() => document.querySelector('#models-list [data-models="alpha"]'), { timeout: 10_000 }); // the glance refreshed after it
    // The glance refreshed on each state change, yet never asked for a backend the config does not have.
    await page.waitForFunction(() => document.getElementById('backend')!.hidden, { timeout: 5_000 });
    expect(asked).toContain('/api/daemon');
    expect(asked.filter((p) => p.startsWith('/api/backend'))).toEqual([]);
    expect(failed).toEqual([]);
  });
});
