import fs from 'node:fs';
import path from 'node:path';
import { execa } from 'execa';
import { afterEach, describe, expect, it } from 'vitest';
import { cleanupAll, makeStack, NODE, ROOT, threeServices } from '../helpers/stack.js';

afterEach(cleanupAll);

// What a chat app's server does on start: connect, start llama-server, forward the events to its own clients.
const PROGRAM = `import { connect } from 'llama-top';
const lt = await connect({ config: process.argv[2] });
const events = [];
const unsubscribe = await lt.subscribe((e) => events.push(e.type === 'snapshot' ? 'snapshot:' + e.services.length : e.event.service + ':' + e.event.to));
const started = await lt.start(['llama']);
const restarted = await lt.restart(['llama']);
const status = await lt.status();
const logs = await lt.logs('llama', { lines: 3 });
const history = await lt.history({ service: 'llama', since: 600 });
unsubscribe();
lt.close();
console.log(JSON.stringify({ started, restarted, status: status.map((s) => s.name + ':' + s.state), logs, events, history: { services: Object.keys(history.services), marks: history.events.map((e) => e.service + ':' + e.event) } }));
`;

describe("the package's client, from a separate Node program", () => {
  it("import { connect } from 'llama-top': start, restart, status, logs and subscribe against a real daemon", async () => {
    const stack = await makeStack(threeServices());
    const app = path.join(stack.dir, 'app');
    fs.mkdirSync(path.join(app, 'node_modules'), { recursive: true });
    fs.symlinkSync(ROOT, path.join(app, 'node_modules', 'llama-top')); // as `npm install llama-top` would place it
    fs.writeFileSync(path.join(app, 'server.mjs'), PROGRAM);
    const run = await execa(NODE, ['server.mjs', stack.configFile], { cwd: app, env: stack.env, reject: false, timeout: 60_000 });
    expect(run.exitCode, run.stderr).toBe(0);
    const out = JSON.parse(run.stdout);
    expect(out.started).toEqual([expect.objectContaining({ name: 'llama', ok: true, state: 'ready' })]);
    expect(out.restarted).toEqual([expect.objectContaining({ name: 'llama', ok: true, state: 'ready' })]);
    expect(out.status).toEqual(['llama:ready', 'ollama:stopped', 'chat:stopped']);
    expect(out.logs).toHaveLength(3);
    expect(out.logs[0]).toEqual({ time: expect.stringMatching(/^\d{4}-/), line: expect.any(String) });
    expect(out.events[0]).toBe('snapshot:3');
    expect(out.history).toEqual({ services: ['llama'], marks: ['llama:start', 'llama:restart'] });
    expect(out.events).toEqual(expect.arrayContaining(['llama:starting', 'llama:ready', 'llama:stopping']));
    expect(out.events.lastIndexOf('llama:ready')).toBeGreaterThan(out.events.indexOf('llama:stopping'));
  });
});
