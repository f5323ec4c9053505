import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { parseConfigText } from '../../src/config/load.js';
import { Supervisor } from '../../src/supervisor/supervisor.js';

const supervisors: Supervisor[] = [];
afterEach(async () => {
  for (const s of supervisors.splice(0)) {
    await s.stop([], true);
    s.dispose();
  }
});

function makeSupervisor(yaml: string): Supervisor {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'lt-sup-'));
  const config = parseConfigText(yaml, path.join(dir, 'llama-top.yaml'), () => path.join(dir, 'logs'));
  const supervisor = new Supervisor(config);
  supervisors.push(supervisor);
  return supervisor;
}

describe('Supervisor (in-process, real processes)', () => {
  it('a binary missing at spawn time is an error state with that message, not a crash loop', async () => {
    const sup = makeSupervisor('services:\n  w:\n    kind: process\n    command: no-such-binary-xyz --flag\n');
    const [outcome] = await sup.start(['w']);
    expect(outcome).toMatchObject({ name: 'w', ok: false, state: 'error' });
    expect(outcome!.error).toMatch(/no-such-binary-xyz: not found on PATH \(install it, or set services\.w\.command to its full path\)/);
    const [status] = sup.status();
    expect(status).toMatchObject({ state: 'error', retries: 0, restarts: 0, pid: null });
  });

  it('resolves unknown names into a usage error listing the services', () => {
    const sup = makeSupervisor('services:\n  w:\n    kind: process\n    command: x\n');
    expect(() => sup.resolveNames(['nope'])).toThrow('unknown service "nope" (services: w)');
  });

  it('does not start a dependent whose dependency failed', async () => {
    const sup = makeSupervisor(`services:
  base:
    kind: process
    command: no-such-binary-xyz
  app:
    kind: process
    command: [${JSON.stringify(process.execPath)}, -e, "setInterval(() => {}, 1e9)"]
    dependsOn: [base]
`);
    const [app] = await sup.start(['app']);
    expect(app).toMatchObject({ ok: false, error: 'not started: dependency base is not ready' });
    expect(sup.status().find((s) => s.name === 'app')!.state).toBe('stopped');
  });
});
