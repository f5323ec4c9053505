import type { Browser } from 'puppeteer-core';
import { afterEach, describe, expect } from 'vitest';
import { CHROMIUM, launchChromium, runIfChromium as runIt } from '../helpers/chromium.js';
import { cleanupAll, findFreePorts, makeStack, threeServices } from '../helpers/stack.js';

let browser: Browser | null = null;
afterEach(async () => {
  await browser?.close();
  browser = null;
  await cleanupAll();
});

describe('the status page in a real headless Chromium', () => {
  runIt('with the token URL it shows every service and its state, follows a restart live, and acts; without it, nothing of the stack', async () => {
    expect(CHROMIUM, 'chromium is installed (apt-get install chromium)').toBeTruthy();
    const [port] = await findFreePorts(1);
    const stack = await makeStack(threeServices({ top: `http: { listen: "127.0.0.1:${port}" }` }));
    expect((await stack.cli(['start'])).exitCode).toBe(0);
    const web = JSON.parse((await stack.cli(['web', '--json'])).stdout);
    expect(web.open).toMatch(new RegExp(`^http://127\\.0\\.0\\.1:${port}/\\?token=[0-9a-f]{64}$`));
    browser = await launchChromium();

    // Without the token: a page that says how to get in, and no service anywhere.
    const stranger = await (await browser.createBrowserContext()).newPage();
    const locked = await stranger.goto(`http://127.0.0.1:${port}/`);
    expect(locked?.status()).toBe(401);
    const lockedText = await stranger.evaluate(() => document.body.innerText);
    expect(lockedText).toMatch(/needs its token/);
    expect(lockedText).not.toMatch(/ollama|chat|ready/);
    expect(await stranger.evaluate(async () => (await fetch('/api/status')).status)).toBe(401);

    const page = await browser.newPage();
    await page.setViewport({ width: 1100, height: 560 });
    await page.goto(web.open);
    expect(page.url()).toBe(`http://127.0.0.1:${port}/`); // the token left the address bar for a cookie
    await page.waitForFunction(() => ['llama', 'ollama', 'chat'].every((n) => document.querySelector(`[data-service="${n}"]`)?.getAttribute('data-state') === 'ready'), { timeout: 20_000 });
    expect(await page.$eval('[data-service="llama"]', (e) => (e as HTMLElement).innerText)).toMatch(/llama[\s\S]*ready[\s\S]*llama-server[\s\S]*tiny\.gguf[\s\S]*uptime/);
    await page.waitForFunction(() => /MB/.test((document.querySelector('[data-service="llama"]') as HTMLElement).innerText), { timeout: 10_000 }); // memory, once sampled

    // A restart from the command line: the page follows it live (SSE), through stopping/starting back to ready.
    await page.evaluate(() => {
      const seen: string[] = ((window as any).seen = []);
      new MutationObserver(() => {
        const s = document.querySelector('[data-service="llama"]')!.getAttribute('data-state')!;
        if (seen.at(-1) !== s) seen.push(s);
      }).observe(document.querySelector('[data-service="llama"]')!, { attributes: true });
    });
    expect((await stack.cli(['restart', 'llama'])).exitCode).toBe(0);
    await page.waitForFunction(() => (window as any).seen.length >= 2 && (window as any).seen.at(-1) === 'ready', { timeout: 20_000 });
    const seen = (await page.evaluate(() => (window as any).seen)) as string[];
    expect(seen).toContain('stopping');
    expect(seen.at(-1)).toBe('ready');

    // Its own buttons act (same-origin POST with the cookie): stop ollama.
    await page.click('[data-service="ollama"] [data-action="stop"]');
    await page.waitForFunction(() => document.querySelector('[data-service="ollama"]')?.getAttribute('data-state') === 'stopped', { timeout: 20_000 });
    expect((await stack.status()).find((s) => s.name === 'ollama')!.state).toBe('stopped');
    // and the log tail opens
    // and its log button opens its log in the viewer
    await page.click('[data-service="llama"] [data-action="logs"]');
    await page.waitForFunction(() => /server is listening/.test((document.querySelector('#log-lines') as HTMLElement).innerText), { timeout: 10_000 });
  });
});
