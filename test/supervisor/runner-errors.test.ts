import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { parseConfigText } from '../../src/config/load.js';
import { ServiceRunner } from '../../src/supervisor/runner.js';
import type { ServiceRuntime } from '../../src/supervisor/machine.js';
import { waitFor } from '../helpers/wait.js';

describe('an effect that throws ends in error, never in a transitional state', () => {
  it('an argv the loader would refuse (empty) makes the spawn throw: error with the reason, and start/stop still answer', async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'lt-runner-'));
    const config = parseConfigText('services:\n  w:\n    kind: process\n    command: node\n', path.join(dir, 'llama-top.yaml'), () => path.join(dir, 'logs'));
    // Bypass the loader's check, as a bug elsewhere would: the spawn effect meets argv[0] === undefined for real.
    const svc = { ...config.services[0]!, argv: [] as string[] };
    const seen: ServiceRuntime[] = [];
    const runner = new ServiceRunner(svc, config.logs, (_name, state) => seen.push(state));
    try {
      runner.dispatch({ type: 'start' });
      await waitFor(() => runner.state.phase === 'error', 'the service to leave starting for error');
      expect(runner.state.lastError).toMatch(/^internal error: Cannot read properties of undefined/);
      expect(runner.state.pid).toBeNull();
      runner.dispatch({ type: 'stop', force: false });
      expect(runner.state.phase).toBe('stopped');
      runner.dispatch({ type: 'start' });
      await waitFor(() => runner.state.phase === 'error' && seen.length >= 4, 'a second start to end in error again');
      expect(seen.map((s) => s.phase)).toEqual(['starting', 'error', 'stopped', 'starting', 'error']);
    } finally {
      runner.dispose();
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });
});
