import net from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { waitFor } from '../helpers/wait.js';
import { closeEndpoints, openEndpoint } from './endpoint-harness.js';

afterEach(closeEndpoints);

const MiB = 1024 * 1024;

/** A raw connection to the endpoint: what it wrote back, and whether it closed. */
function connect(port: number) {
  const socket = net.connect(port, '127.0.0.1');
  const state = { text: '', closed: false, socket };
  socket.on('data', (chunk) => (state.text += chunk.toString('latin1')));
  socket.on('error', () => undefined);
  socket.on('close', () => (state.closed = true));
  return state;
}

const head = (length: number, extra = '') => `POST /v1/chat/completions HTTP/1.1\r\nhost: 127.0.0.1\r\ncontent-type: application/json\r\ncontent-length: ${length}\r\n${extra}\r\n`;
/** The JSON body of a raw HTTP answer. */
const bodyOf = (text: string) => JSON.parse(text.slice(text.indexOf('\r\n\r\n') + 4));

describe('serve endpoint: request bodies an attacker sends', () => {
  it('a body over the cap is answered 413 in OpenAI\'s shape, whether its length is declared or it is chunked (not a reset)', async () => {
    const { url, refused } = await openEndpoint({ limits: { maxBytes: 1 * MiB } });
    const big = Buffer.alloc(3 * MiB, 'a');
    const declared = await fetch(`${url}/v1/chat/completions`, { method: 'POST', body: big });
    expect(declared.status).toBe(413);
    expect(await declared.json()).toEqual({ error: { message: 'the request body is larger than 1 MiB, the most llama-top serve takes', type: 'invalid_request_error', code: 'body_too_large' } });
    // Chunked: no length to judge it by; refused once it passes the cap, while the client still sends.
    const chunks = (async function* () {
      for (let i = 0; i < 12; i++) yield new Uint8Array(256 * 1024).fill(97);
    })();
    const chunked = await fetch(`${url}/v1/chat/completions`, { method: 'POST', body: chunks as any, duplex: 'half' } as RequestInit);
    expect(chunked.status).toBe(413);
    expect((await chunked.json()).error.code).toBe('body_too_large');
    expect(refused.map((r) => [r.model, r.status])).toEqual([['-', 413], ['-', 413]]);
  });

  it('bodies held at once are bounded: past the total a new body is 503 server busy, and it clears when they are done', async () => {
    const { url, port } = await openEndpoint({ limits: { maxBytes: 1 * MiB, maxBufferedBytes: 1.5 * MiB } });
    // One body of 1 MiB, all but its last byte sent: held while it comes.
    const slow = connect(port);
    slow.socket.write(head(MiB) + 'a'.repeat(MiB - 1));
    const busy = await waitFor(async () => {
      const res = await fetch(`${url}/v1/chat/completions`, { method: 'POST', body: Buffer.alloc(MiB, 'b') });
      return res.status === 503 ? res : null;
    }, 'a body that does not fit beside the held one to be refused');
    expect(await busy.json()).toMatchObject({ error: { type: 'server_error', code: 'server_busy', message: expect.stringMatching(/^server busy: .*at most 1.5 MiB at once/) } });
    slow.socket.write('a'); // the held body completes (not JSON: 400) and its bytes are given back
    await waitFor(() => slow.text.startsWith('HTTP/1.1 400'), 'the held body to be answered');
    slow.socket.destroy();
    const after = await fetch(`${url}/v1/chat/completions`, { method: 'POST', body: Buffer.alloc(MiB, 'c') });
    expect(after.status).toBe(400); // read whole (not JSON), not refused as busy
  });

  it('a body that stops coming is 408 and its connection closed; so is one that trickles past the whole-body limit', async () => {
    const { port, refused } = await openEndpoint({ limits: { idleMs: 300, totalMs: 1500 } });
    const stalled = connect(port);
    stalled.socket.write(head(100) + '{"model":');
    await waitFor(() => stalled.closed, 'the stalled connection to be closed', 10_000);
    expect(stalled.text).toMatch(/^HTTP\/1.1 408 /);
    expect(stalled.text).toMatch(/\r\nconnection: close\r\n/i);
    expect(bodyOf(stalled.text).error).toMatchObject({ code: 'body_timeout', message: expect.stringMatching(/sent nothing for 0.3 s/) });

    const trickle = connect(port);
    trickle.socket.write(head(1000));
    const drip = setInterval(() => trickle.socket.write(' '), 100);
    try {
      await waitFor(() => trickle.closed, 'the trickling connection to be closed', 10_000);
    } finally {
      clearInterval(drip);
    }
    expect(trickle.text).toMatch(/^HTTP\/1.1 408 /);
    expect(bodyOf(trickle.text).error.message).toMatch(/did not arrive whole within 1.5 s/);
    expect(refused.map((r) => r.status)).toEqual([408, 408]);
  });

  it('headers that trickle (slowloris) are cut off by the listener', async () => {
    const { port } = await openEndpoint();
    const loris = connect(port);
    loris.socket.write('POST /v1/chat/completions HTTP/1.1\r\nhost: 127.0.0.1\r\n');
    const drip = setInterval(() => loris.socket.write('x-a: b\r\n'), 1000);
    const began = Date.now();
    try {
      await waitFor(() => loris.closed, 'the listener to close a connection whose headers never end', 40_000);
    } finally {
      clearInterval(drip);
    }
    // headersTimeout 15 s, checked every 5 s.
    expect(Date.now() - began).toBeGreaterThanOrEqual(14_000);
    expect(loris.text).toMatch(/^HTTP\/1.1 408 /);
  }, 60_000);
});
