import { execa } from 'execa';
import { afterEach, describe, expect, it } from 'vitest';
import { httpGet } from '../../src/shared/http-get.js';
import { fixture, NODE } from '../helpers/stack.js';
import { waitFor } from '../helpers/wait.js';

let server: ReturnType<typeof execa> | null = null;
afterEach(() => {
  server?.kill('SIGKILL');
  server = null;
});

describe('httpGet (the probes\' HTTP client)', () => {
  it('never fails against a server that drops each connection after one answer without saying so', async () => {
    server = execa(NODE, [fixture('quiet-close-server.mjs')], { reject: false });
    let output = '';
    server.stdout!.on('data', (chunk: Buffer) => (output += chunk.toString()));
    const port = Number((await waitFor(() => /listening on (\d+)/.exec(output), 'the fixture to listen'))[1]);
    const outcomes: string[] = [];
    for (let i = 0; i < 30; i++) {
      const result = await httpGet('127.0.0.1', port, '/health', 5000).then(
        (r) => `${r.status} ${r.body}`,
        (error: Error) => error.message,
      );
      outcomes.push(result);
    }
    // With Node's keep-alive agent every other probe reused a socket the server had given up: "socket hang up".
    expect(outcomes.filter((o) => o !== '200 {"status":"ok"}')).toEqual([]);
  });
});
