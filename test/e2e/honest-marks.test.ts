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
});
