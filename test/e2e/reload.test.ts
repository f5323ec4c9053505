import fs from 'node:fs';
import { afterEach, describe, expect, it } from 'vitest';
import { cleanupAll, isAlive, makeStack, NODE, waitFor, warnings } from '../helpers/stack.js';

afterEach(cleanupAll);

const svc = (name: string, extra = '') => `  ${name}:\n    kind: process\n    command: [${JSON.stringify(NODE)}, -e, "setInterval(() => {}, 1e9)", ${JSON.stringify(name)}${extra}]\n    readyAfter: 100ms\n`;

describe('reload: an edited config applied to the running stack', () => {
  it('keeps unchanged services (same pid), restarts a changed one, stops a removed one, starts an added one', async () => {
    const stack = await makeStack(() => `services:\n${svc('keep')}${svc('change')}${svc('drop')}`, 0);
    expect((await stack.cli(['start'])).exitCode).toBe(0);
    const before = new Map((await stack.status()).map((s) => [s.name, s.pid as number]));
    fs.writeFileSync(stack.configFile, `services:\n${svc('keep')}${svc('change', ', "v2"')}${svc('add')}`);
    expect((await stack.cli(['status'])).stderr).toMatch(/changed since the daemon started; to apply it: llama-top reload/);

    const reload = await stack.cli(['reload']);
    expect(reload.exitCode, reload.stderr).toBe(0);
    expect(reload.stdout).toMatch(/^unchanged \(still running, same pid\): keep$/m);
    expect(reload.stdout).toMatch(/^✓ change changed: restarted, ready in \d+\.\ds$/m);
    expect(reload.stdout).toMatch(/^removed and stopped: drop$/m);
    expect(reload.stdout).toMatch(/^✓ add added: ready in \d+\.\ds$/m);

    const after = new Map((await stack.status()).map((s) => [s.name, s]));
    expect([...after.keys()]).toEqual(['keep', 'change', 'add']);
    expect(after.get('keep')!.pid).toBe(before.get('keep'));
    expect(after.get('change')!.pid).not.toBe(before.get('change'));
    expect(fs.readFileSync(`/proc/${after.get('change')!.pid}/cmdline`, 'utf8')).toContain('v2');
    await waitFor(() => !isAlive(before.get('drop')!), 'the dropped service gone');
    expect(after.get('add')!.state).toBe('ready');
    expect(warnings((await stack.cli(['status'])).stderr)).toEqual([]); // the daemon runs what the file says now
  });

  it('a config with an error is refused with file:line:col and exit 2, and nothing changes', async () => {
    const stack = await makeStack(() => `services:\n${svc('keep')}`, 0);
    expect((await stack.cli(['start'])).exitCode).toBe(0);
    const pid = (await stack.status())[0]!.pid;
    fs.writeFileSync(stack.configFile, `services:\n  keep:\n    kind: proces\n    command: [x]\n`);
    const reload = await stack.cli(['reload']);
    expect(reload.exitCode).toBe(2);
    expect(reload.stderr).toMatch(/llama-top\.yaml:3:11 services\.keep\.kind: must be one of/);
    expect((await stack.status())[0]).toMatchObject({ name: 'keep', state: 'ready', pid });
  });
});
