import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { parseConfigText } from '../../src/config/load.js';
import type { NotifyEntry } from '../../src/config/types.js';
import { debounce } from '../../src/notify/debounce.js';
import { Notifier } from '../../src/notify/notifier.js';
import { hookEnv, oneLine, webhookBody, type NotifyPayload } from '../../src/notify/payload.js';
import type { StackEvent } from '../../src/protocol/journal.js';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fixture, NODE } from '../helpers/stack.js';
import { isAlive, waitFor } from '../helpers/wait.js';

const load = (yaml: string) => parseConfigText(yaml, '/cfg/llama-top.yaml', () => '/state/logs');
const SERVICES = 'services:\n  llama: { kind: process, command: [x] }\n';

describe('notify: config', () => {
  it('resolves entries with their defaults', () => {
    const cfg = load(`${SERVICES}notify:\n  - on: [crash, gave-up]\n    command: notify-send "llama top"\n  - on: [stalled]\n    services: [llama]\n    webhook: https://ntfy.example/llm\n    format: text\n    quiet: 1m\n`);
    expect(cfg.notify).toEqual([
      { on: ['crash', 'gave-up'], services: null, target: { type: 'command', argv: ['notify-send', 'llama top'] }, quietMs: 300_000, timeoutMs: 10_000, retries: 3 },
      { on: ['stalled'], services: ['llama'], target: { type: 'webhook', url: 'https://ntfy.example/llm', format: 'text', headers: {} }, quietMs: 60_000, timeoutMs: 10_000, retries: 3 },
    ]);
  });

  it.each([
    [`notify:\n  - on: [crashed]\n    command: [x]\n`, /llama-top\.yaml:\d+:\d+ notify\.0\.on\.0: must be one of: ready, crash, gave-up/],
    [`notify:\n  - on: [crash]\n`, /llama-top\.yaml:4:5 notify\.0: give either command .* or webhook/],
    [`notify:\n  - on: [crash]\n    command: [x]\n    webhook: http://a/\n`, /notify\.0: give either command/],
    [`notify:\n  - on: [crash]\n    webhook: ftp://a/\n`, /llama-top\.yaml:5:14 notify\.0\.webhook: must be an http:\/\/ or https:\/\/ URL/],
    [`notify:\n  - on: [crash]\n    webhook: http://a/\n    format: teams\n`, /notify\.0\.format: must be one of: json, text, slack, discord/],
    [`notify:\n  - on: [crash]\n    command: [x]\n    format: text\n`, /llama-top\.yaml:6:13 notify\.0\.format: applies to a webhook only/],
    [`notify:\n  - on: [crash]\n    services: [nope]\n    command: [x]\n`, /llama-top\.yaml:5:15 notify\.0\.services: unknown service "nope" \(services: llama\)/],
    [`notify:\n  - on: [crash]\n    command: [x]\n    quiet: soon\n`, /notify\.0\.quiet: "soon" is not a duration/],
    [`notify:\n  - on: []\n    command: [x]\n`, /notify\.0\.on: name at least one event/],
    [`notify:\n  - on: [crash]\n    command: [x]\n    retry: 2\n`, /notify\.0\.retry: unknown key/],
  ])('refuses %j', (notify, error) => {
    expect(() => load(`${SERVICES}${notify}`)).toThrow(error);
  });
});

describe('notify: debounce', () => {
  it('sends once per quiet, then says how many were held back; a crash inside a loop is always held', () => {
    let s = debounce(undefined, 0, 1000, false);
    expect(s.decision).toEqual({ send: true, suppressed: 0 });
    s = debounce(s.state, 500, 1000, false);
    expect(s.decision).toEqual({ send: false });
    s = debounce(s.state, 900, 1000, true);
    expect(s.decision).toEqual({ send: false });
    s = debounce(s.state, 5000, 1000, true); // past the quiet, but still the same loop
    expect(s.decision).toEqual({ send: false });
    s = debounce(s.state, 6000, 1000, false);
    expect(s.decision).toEqual({ send: true, suppressed: 3 });
    expect(debounce(undefined, 0, 1000, true).decision).toEqual({ send: false });
  });
});

describe('notify: payload formats', () => {
  const p: NotifyPayload = { stack: 's', host: 'box', service: 'llama', event: 'gave-up', reason: 'exited with code 1', time: '2026-01-01T00:00:00.000Z', suppressed: 4 };
  it('says it in one line, and in each webhook format', () => {
    expect(oneLine(p)).toBe('s@box: llama gave-up: exited with code 1 (suppressed: 4)');
    expect(oneLine({ ...p, service: null, event: 'disk-full', reason: null, suppressed: undefined })).toBe('s@box: disk-full');
    expect(JSON.parse(webhookBody('json', p).body)).toEqual(p);
    expect(webhookBody('text', p)).toEqual({ contentType: 'text/plain; charset=utf-8', body: oneLine(p) });
    expect(JSON.parse(webhookBody('slack', p).body)).toEqual({ text: `llama-top ${oneLine(p)}` });
    expect(JSON.parse(webhookBody('discord', { ...p, reason: 'x'.repeat(5000) }).body).content).toHaveLength(2000);
    expect(hookEnv(p)).toMatchObject({ LLAMA_TOP_EVENT: 'gave-up', LLAMA_TOP_SERVICE: 'llama', LLAMA_TOP_REASON: 'exited with code 1', LLAMA_TOP_STACK: 's', LLAMA_TOP_HOST: 'box', LLAMA_TOP_SUPPRESSED: '4' });
  });
});

describe('Notifier', () => {
  let server: http.Server | null = null;
  afterEach(() => new Promise<void>((resolve) => (server ? server.close(() => resolve()) : resolve())));

  it('debounces per (entry, service, event), counts a crash loop as one crash, and says suppressed: N on the next one', async () => {
    const got: Array<Record<string, unknown>> = [];
    server = http.createServer((req, res) => {
      let body = '';
      req.on('data', (c) => (body += c)).on('end', () => {
        got.push(JSON.parse(body));
        res.end();
      });
    });
    await new Promise<void>((resolve) => server!.listen(0, '127.0.0.1', resolve));
    const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/`;
    let now = 0;
    const entry: NotifyEntry = { on: ['crash', 'gave-up'], services: ['llama'], target: { type: 'webhook', url, format: 'json', headers: {} }, quietMs: 60_000, timeoutMs: 2000, retries: 0 };
    const lines: string[] = [];
    const notifier = new Notifier([entry], { stack: 's', host: 'h', cwd: '/', log: (l) => lines.push(l), now: () => now });
    let seq = 0;
    const ev = (service: string, event: StackEvent['event'], retries: number): StackEvent => ({ seq: ++seq, time: new Date(now).toISOString(), service, event, from: null, to: null, reason: `r${seq}`, retries });
    for (const e of [ev('llama', 'crash', 1), ev('llama', 'crash', 2), ev('llama', 'crash', 3), ev('llama', 'gave-up', 4), ev('other', 'crash', 1), ev('llama', 'ready', 0)]) notifier.handle(e);
    await waitFor(() => got.length === 2, 'the first crash and the gave-up');
    now = 120_000; // a new loop, past the quiet
    notifier.handle(ev('llama', 'crash', 1));
    await waitFor(() => got.length === 3, 'the next crash');
    expect(got.map((g) => [g.event, g.reason, g.suppressed])).toEqual([
      ['crash', 'r1', undefined],
      ['gave-up', 'r4', undefined],
      ['crash', 'r7', 2],
    ]);
    expect(lines).toEqual([]);
  });

  it('kills the hooks still running when the daemon exits (dispose), and sends nothing after', async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'notify-dispose-'));
    const file = path.join(dir, 'hook.jsonl');
    const entry: NotifyEntry = { on: ['crash'], services: null, target: { type: 'command', argv: [NODE, fixture('notify-hook.mjs'), file, '--hang'] }, quietMs: 0, timeoutMs: 60_000, retries: 0 };
    const lines: string[] = [];
    const notifier = new Notifier([entry], { stack: 's', host: 'h', cwd: dir, log: (l) => lines.push(l) });
    const crash = (seq: number): StackEvent => ({ seq, time: new Date().toISOString(), service: 'x', event: 'crash', from: null, to: null, reason: 'r', retries: 1 });
    notifier.handle(crash(1));
    const pid = Number(await waitFor(() => fs.existsSync(`${file}.pid`) && fs.readFileSync(`${file}.pid`, 'utf8'), 'the hook to run'));
    notifier.dispose();
    await waitFor(() => !isAlive(pid), 'the hook to be killed');
    notifier.handle(crash(2));
    await waitFor(() => lines.length === 1, 'the kill to be logged');
    expect(lines[0]).toMatch(/notify\.0 command .* \(x crash\): killed by SIGKILL/);
    expect(fs.readFileSync(file, 'utf8').trim().split('\n')).toHaveLength(1);
    fs.rmSync(dir, { recursive: true, force: true });
  });
});
