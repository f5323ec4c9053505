#!/usr/bin/env node
// Refreshes the README's pictures of the status page: the demo stack (fake llama-server, ollama and chat app with
// light traffic) in a temporary state directory, its page in headless Chromium at 1280 px (light) and 390 px
// (dark), written to docs/. Needs `npm run build` and Debian's chromium.
//
//   node scripts/screenshots.mjs [SECONDS_OF_HISTORY=90]
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import puppeteer from 'puppeteer-core';

const ROOT = fileURLToPath(new URL('../', import.meta.url));
const CLI = path.join(ROOT, 'bin', 'llama-top.js');
const CHROMIUM = ['/usr/bin/chromium', '/usr/bin/chromium-browser', '/usr/bin/google-chrome'].find((p) => fs.existsSync(p));
const seconds = Number(process.argv[2] ?? 90);
if (!CHROMIUM) throw new Error('no chromium found (apt-get install chromium)');

const { writeDemoConfig } = await import(path.join(ROOT, 'dist', 'commands', 'demo.js'));
const { findFreePorts } = await import(path.join(ROOT, 'dist', 'process', 'free-ports.js'));
const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'llama-top-shots-'));
const env = { ...process.env, XDG_STATE_HOME: path.join(dir, 'state'), XDG_RUNTIME_DIR: path.join(dir, 'run'), NO_COLOR: '1' };
fs.mkdirSync(env.XDG_RUNTIME_DIR, { mode: 0o700 });
const config = await writeDemoConfig(env);
const [port] = await findFreePorts(1);
fs.appendFileSync(config, `http: { listen: "127.0.0.1:${port}" }\nmetrics: { interval: 1s }\n`);
const cli = (...args) => execFileSync(process.execPath, [CLI, ...args, '--config', config], { env, encoding: 'utf8', stdio: ['ignore', 'pipe', 'inherit'] });

let browser;
try {
  cli('start');
  const { open } = JSON.parse(cli('web', '--json'));
  const wait = (s) => new Promise((resolve) => setTimeout(resolve, s * 1000));
  console.error(`collecting ${seconds} s of history (a restart of llama halfway)…`);
  await wait(seconds / 2);
  cli('restart', 'llama');
  await wait(seconds / 2);
  browser = await puppeteer.launch({ executablePath: CHROMIUM, headless: true, args: ['--no-sandbox', '--disable-gpu', '--disable-dev-shm-usage'] });
  const page = await browser.newPage();
  for (const [width, scheme, file] of [
    [1280, 'light', 'status-page-1280.png'],
    [390, 'dark', 'status-page-390.png'],
  ]) {
    await page.emulateMediaFeatures([{ name: 'prefers-color-scheme', value: scheme }]);
    await page.setViewport({ width, height: 900, deviceScaleFactor: 1 });
    await page.goto(open);
    await page.waitForFunction(() => document.querySelectorAll('.card[data-state="ready"]').length >= 4 && document.querySelector('[data-service="llama"] figure[data-metric="tokensPerSecond"]'), { timeout: 30_000 });
    await page.waitForSelector('#backend:not([hidden]) .choice', { timeout: 30_000 });
    await page.waitForFunction(() => (document.querySelector('#log-lines')?.textContent ?? '').length > 200, { timeout: 30_000 });
    const shot = path.join(ROOT, 'docs', file);
    await page.screenshot({ path: shot, fullPage: true });
    console.error(`wrote ${path.relative(ROOT, shot)}`);
  }
} finally {
  await browser?.close();
  try {
    cli('daemon', 'stop', '--all');
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
}
