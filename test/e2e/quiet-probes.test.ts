import fs from 'node:fs';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { cleanupAll, fixture, makeStack, NODE, waitFor } from '../helpers/stack.js';

afterEach(cleanupAll);

/** The chat app's own log: each request it answered is a line (as werkzeug writes them). */
const probeLines = (dir: string) => {
  const root = path.join(dir, 'logs');
  const logDirs = fs.existsSync(root) ? fs.readdirSync(root).map((stack) => path.join(root, stack, 'chat')).filter((d) => fs.existsSync(d)) : [];
  return logDirs.flatMap((d) => fs.readdirSync(d).map((f) => path.join(d, f))).reduce((n, f) => n + (fs.readFileSync(f, 'utf8').match(/"GET \/ HTTP\/1\.1"/g)?.length ?? 0), 0);
};

describe("the chat app's health check while nobody watches", () => {
  it('runs at its quiet pace while healthy and unwatched, at the interval while a client watches', async () => {
    let dir = '';
    const stack = await makeStack((ports, d) => {
      dir = d;
      return `name: quiet
logs: { dir: ./logs }
services:
  chat:
    kind: app
    command: [${JSON.stringify(NODE)}, ${JSON.stringify(fixture('fake-chat-app.mjs'))}]
    port: ${ports[0]}
    health: { http: /, interval: 200ms, quietInterval: 60s }
`;
    }, 1);
    expect((await stack.cli(['start'])).exitCode).toBe(0);
    const atReady = await waitFor(() => probeLines(dir), 'the check that found it ready, in its log');

    // Unwatched and healthy: no check for the next 3 s (15 intervals; at the interval it would be 15 lines). The
    // start command watched until it left: a check or two may have landed meanwhile.
    const until = Date.now() + 3000;
    while (Date.now() < until) {
      expect(probeLines(dir)).toBeLessThanOrEqual(atReady + 2);
      await new Promise((resolve) => setTimeout(resolve, 100));
    }

    // A client that watches (`events` subscribes) brings the interval back at the next tick.
    const events = stack.spawnCli(['events']);
    try {
      await waitFor(() => probeLines(dir) >= atReady + 5, 'checks at the 200 ms interval while events watches', 15_000);
    } finally {
      events.kill('SIGTERM');
      await events;
    }
  });
});
