import fs from 'node:fs';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { cleanupAll, findFreePorts, fixture, makeStack, NODE, waitFor } from '../helpers/stack.js';

afterAll(cleanupAll);

const chatApp = (ports: number[], extra = '') => `services:
  chat:
    kind: app
    command: [${JSON.stringify(NODE)}, ${JSON.stringify(fixture('fake-chat-app.mjs'))}]
    port: ${ports[0]}
    env: { CONFIG_FILE: ./chat.json }
    health: { http: /health }
    stopTimeout: 3s
${extra}
backend:
  app: chat
  file: ./chat.json
  key: backend.active
  choices: { ollama: null }
`;

describe('✓ only where it was checked', () => {
  it('backend health of an app-served choice reaches the URL the app names: ✗ with nothing there, ✓ once something answers', async () => {
    const [backendPort] = await findFreePorts(1);
    const stack = await makeStack((ports, dir) => {
      fs.writeFileSync(path.join(dir, 'chat.json'), JSON.stringify({ backend: { active: 'ollama' }, ollama: { base_url: `http://127.0.0.1:${backendPort}` } }));
      return chatApp(ports);
    }, 1);
    expect((await stack.cli(['start'])).exitCode).toBe(0);
    const down = await stack.cli(['backend', 'health', 'ollama']);
    expect(down.exitCode).toBe(1);
    expect(down.stdout).toMatch(new RegExp(`✗ ollama\\s+served by the app\\s+nothing answers at http://127\\.0\\.0\\.1:${backendPort}`));
    // the real-shaped stand-in answers there now
    const { execa } = await import('execa');
    const ollama = execa(NODE, [fixture('fake-ollama.mjs')], { env: { OLLAMA_HOST: `127.0.0.1:${backendPort}` }, reject: false });
    try {
      const up = await waitFor(async () => {
        const run = await stack.cli(['backend', 'health', 'ollama']);
        return run.exitCode === 0 ? run : null;
      }, 'the backend answering');
      expect(up.stdout).toMatch(/✓ ollama/);
    } finally {
      ollama.kill('SIGKILL');
    }
  });

  it('an app-served choice with nothing to ask is `?` with the reason, never ✓', async () => {
    const stack = await makeStack((ports, dir) => {
      fs.writeFileSync(path.join(dir, 'chat.json'), JSON.stringify({ backend: { active: 'ollama' } }));
      return chatApp(ports);
    }, 1);
    expect((await stack.cli(['start'])).exitCode).toBe(0);
    const run = await stack.cli(['backend', 'health', 'ollama']);
    expect(run.stdout).toMatch(/\? ollama\s+served by the app\s+served by the app itself: nothing to ask \(set backend\.health\.ollama/);
    expect(run.stdout).not.toMatch(/✓/);
  });

  it('doctor says which port our process really holds when the config names another', async () => {
    const [realPort] = await findFreePorts(1);
    const stack = await makeStack((ports, dir) => {
      fs.writeFileSync(path.join(dir, 'chat.json'), JSON.stringify({ backend: { active: 'ollama' } }));
      return chatApp(ports, `    args: [--port, "${realPort}"]\n    startTimeout: 60s`);
    }, 1);
    expect((await stack.cli(['start', '--no-wait'])).exitCode).toBe(0);
    const run = await waitFor(async () => {
      const r = await stack.cli(['doctor']);
      return r.stdout.includes(`listens on ${realPort}`) ? r : null;
    }, 'doctor naming the real port');
    expect(run.stdout).toMatch(new RegExp(`chat port: our pid \\d+ listens on ${realPort}, not on ${stack.ports[0]} as services\\.chat\\.port says`));
    expect(run.stdout).not.toMatch(/held by our pid/);
  });

  it('backend switch to an app-served choice whose URL (from the app\'s config) answers nothing is refused; the file is untouched', async () => {
    const [backendPort] = await findFreePorts(1);
    const original = JSON.stringify({ backend: { active: 'other' }, ollama: { base_url: `http://127.0.0.1:${backendPort}` } });
    const stack = await makeStack((ports, dir) => {
      fs.writeFileSync(path.join(dir, 'chat.json'), original);
      return chatApp(ports).replace('choices: { ollama: null }', 'choices: { ollama: null, other: null }');
    }, 1);
    expect((await stack.cli(['start'])).exitCode).toBe(0);
    const refused = await stack.cli(['backend', 'switch', 'ollama']);
    expect(refused.exitCode).toBe(1);
    expect(refused.stderr).toMatch(new RegExp(`switch to ollama refused: nothing answers at http://127\\.0\\.0\\.1:${backendPort} .*the app stays on other; --force to switch anyway`));
    expect(refused.stdout).not.toMatch(/✓/);
    expect(fs.readFileSync(path.join(stack.dir, 'chat.json'), 'utf8')).toBe(original);
  });

  it('backend switch to an app-served choice with nothing to ask: ✓ for the switch it checked, `?` for the backend it could not', async () => {
    const stack = await makeStack((ports, dir) => {
      fs.writeFileSync(path.join(dir, 'chat.json'), JSON.stringify({ backend: { active: 'other' } }));
      return chatApp(ports).replace('choices: { ollama: null }', 'choices: { ollama: null, other: null }');
    }, 1);
    expect((await stack.cli(['start'])).exitCode).toBe(0);
    const run = await stack.cli(['backend', 'switch', 'ollama']);
    expect(run.exitCode, run.stderr).toBe(0);
    expect(run.stdout).toMatch(/^✓ chat switched from other to ollama in \d+\.\ds\n\? ollama: not checked: served by the app itself: nothing to ask \(set backend\.health\.ollama/);
    const json = JSON.parse((await stack.cli(['backend', 'switch', 'other', '--json'])).stdout);
    expect(json).toMatchObject({ changed: true, to: 'other', unchecked: expect.stringMatching(/nothing to ask/) });
  });

  it('doctor: a model given by name and GPU memory without nvidia-smi are `?` with the reason, not ✓', async () => {
    const stack = await makeStack((ports) => `services:
  vllm:
    kind: vllm
    command: [${JSON.stringify(NODE)}, ${JSON.stringify(fixture('fake-vllm.mjs'))}]
    model: Qwen/Qwen2.5-1.5B-Instruct
    port: ${ports[0]}
`, 1);
    // A PATH without nvidia-smi (node itself is named by its full path in the config)
    const run = await stack.cli(['doctor'], { env: { PATH: '/usr/bin:/bin' } });
    expect(run.stdout).toMatch(/^\? vllm model: Qwen\/Qwen2\.5-1\.5B-Instruct is a name, not a file: the server fetches or finds it, so only it can tell$/m);
    expect(run.stdout).toMatch(/^\? gpu: no nvidia-smi on PATH: GPU memory cannot be read/m);
    const checks = JSON.parse((await stack.cli(['doctor', '--json'], { env: { PATH: '/usr/bin:/bin' } })).stdout).checks;
    expect(checks).toContainEqual({ level: 'unknown', what: 'vllm model', detail: expect.stringContaining('is a name') });
    expect(run.exitCode).toBe(0); // `?` is no failure
  });
});
