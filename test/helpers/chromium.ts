import fs from 'node:fs';
import puppeteer, { type Browser } from 'puppeteer-core';
import { it } from 'vitest';

/** Debian's chromium (CI installs it as root: .ci/run); without it the page tests say why they skip. */
export const CHROMIUM = ['/usr/bin/chromium', '/usr/bin/chromium-browser', '/usr/bin/google-chrome'].find((p) => fs.existsSync(p));

/** `it` where Chromium is installed (or in CI, where its absence must fail), else `it.skip`. */
export const runIfChromium = CHROMIUM || process.env.CI ? it : it.skip;

/** A headless Chromium as the page tests drive it. */
export function launchChromium(): Promise<Browser> {
  if (!CHROMIUM) throw new Error('chromium is not installed (apt-get install chromium)');
  return puppeteer.launch({ executablePath: CHROMIUM, headless: true, args: ['--no-sandbox', '--disable-gpu', '--disable-dev-shm-usage'] });
}
