import { describe, expect, it } from 'vitest';
import { serveReloadLine } from '../../src/commands/lifecycle.js';
import { serveProblems } from '../../src/daemon/handlers/status.js';

const A = 'http://127.0.0.1:8080';
const B = 'http://127.0.0.1:8081';
const TAKEN = 'serve: cannot listen on 127.0.0.1:8081: port 8081 is in use by pid 12 (python3): stop it or change serve.listen in /x/llama-top.yaml, then llama-top reload';

describe('what reload says of the serve endpoint, and what status warns', () => {
  it('reload: nothing when it listens where it did; moved, listening again, closed; ✗ with the reason and where it still serves', () => {
    expect(serveReloadLine({ from: A, to: A, error: null })).toBeNull();
    expect(serveReloadLine({ from: A, to: B, error: null })).toBe(`✓ serve endpoint moved to ${B}/v1 (was ${A}/v1)`);
    expect(serveReloadLine({ from: null, to: B, error: null })).toBe(`✓ serve endpoint listening on ${B}/v1`);
    expect(serveReloadLine({ from: A, to: null, error: null })).toBe(`serve endpoint closed (was ${A}/v1): the config has no serve:`);
    expect(serveReloadLine({ from: A, to: A, error: TAKEN })).toBe(`✗ serve endpoint: ${TAKEN.slice('serve: '.length)} (still serving on ${A}/v1)`);
    expect(serveReloadLine({ from: null, to: null, error: TAKEN })).toBe(`✗ serve endpoint: ${TAKEN.slice('serve: '.length)}`);
  });

  it('status: a warning while the configured endpoint does not listen, or still listens on the address before', () => {
    expect(serveProblems({ url: A, error: null })).toEqual([]);
    expect(serveProblems({ url: null, error: TAKEN })).toEqual([`the serve endpoint does not listen: ${TAKEN}`]);
    expect(serveProblems({ url: A, error: TAKEN })).toEqual([`the serve endpoint is still on ${A}, not where serve.listen says: ${TAKEN}`]);
    expect(serveProblems({ url: null, error: null })).toEqual(['the serve endpoint does not listen: see the daemon log']);
  });
});
