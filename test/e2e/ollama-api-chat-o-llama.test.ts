import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { cleanupAll, makeStack, REAL_LLAMA_SERVER, TINY_GGUF, waitFor } from '../helpers/stack.js';

// The real Chat-O-Llama (unmodified; .ci/run unpacks it from ../shared and sets CHAT_O_LLAMA_DIR) chats with the real
// llama-server through the serve endpoint's ollama API: its `ollama` backend's base_url is the endpoint.
afterEach(cleanupAll);

const COL_DIR = process.env.CHAT_O_LLAMA_DIR || null;
const skipReason = !COL_DIR
  ? 'CHAT_O_LLAMA_DIR is not set (.ci/run unpacks the real Chat-O-Llama and sets it)'
  : !fs.existsSync(path.join(COL_DIR, 'app.py'))
    ? `CHAT_O_LLAMA_DIR=${COL_DIR} has no app.py`
    : !REAL_LLAMA_SERVER
      ? 'LLAMA_SERVER is not set (the answer must come from the real llama-server)'
      : spawnSync('python3', ['-c', 'import flask, requests'], { stdio: 'ignore' }).status !== 0
        ? 'python3 cannot import flask and requests (Debian: apt-get install python3-flask python3-requests; .ci/run does)'
        : null;

describe.skipIf(skipReason !== null)(`the real Chat-O-Llama through the endpoint's ollama API${skipReason ? ` (skipped: ${skipReason})` : ''}`, () => {
  it('lists the llama-server model, starts the server on demand and answers a chat with eval_count filled in', async () => {
    const stack = await makeStack((ports, dir) => {
      fs.copyFileSync(TINY_GGUF, path.join(dir, 'tiny.gguf'));
      // The app's own config.json, as shipped, with its ollama backend pointed at the endpoint and a short answer.
      const config = JSON.parse(fs.readFileSync(path.join(COL_DIR!, 'config.json'), 'utf8'));
      config.backend.active = 'ollama';
      config.ollama.base_url = `http://127.0.0.1:${ports[1]}`;
      config.server = { ...config.server, host: '127.0.0.1', port: ports[2] };
      config.model_options.num_predict = 8;
      fs.writeFileSync(path.join(dir, 'col-config.json'), JSON.stringify(config, null, 2));
      return `restart: { maxRetries: 0 }
serve: { listen: 127.0.0.1:${ports[1]} }
services:
  llama:
    kind: llama-server
    command: [${JSON.stringify(REAL_LLAMA_SERVER)}]
    model: ./tiny.gguf
    port: ${ports[0]}
    args: [-t, "1"]
    models: [tiny]
    autostart: false
    stopTimeout: 5s
  chat:
    kind: app
    command: [python3, app.py]
    cwd: ${JSON.stringify(COL_DIR)}
    env: { CONFIG_FILE: ${JSON.stringify(path.join(dir, 'col-config.json'))}, DATABASE_PATH: ${JSON.stringify(path.join(dir, 'chat.db'))} }
    port: ${ports[2]}
    health: { http: / }
    startTimeout: 60s
`;
    }, 3);
    const start = await stack.cli(['start']);
    expect(start.exitCode, start.stderr).toBe(0);
    const app = `http://127.0.0.1:${stack.ports[2]}`;
    const state = async (name: string) => (await stack.status()).find((s) => s.name === name)?.state;
    await waitFor(async () => (await state('chat')) === 'ready', 'Chat-O-Llama ready', 60_000);
    expect(await state('llama')).toBe('stopped');

    // Its model list comes from the endpoint's /api/tags: the llama-server model, without starting it.
    const models = await (await fetch(`${app}/api/models`)).json();
    expect(models).toMatchObject({ active_backend: 'ollama', models: ['tiny'] });
    expect(await state('llama')).toBe('stopped');

    const conv = await (await fetch(`${app}/api/conversations`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ title: 'through llama-top', model: 'tiny' }) })).json();
    expect(conv.conversation_id).toEqual(expect.any(Number));
    const chat = await fetch(`${app}/api/chat`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ conversation_id: conv.conversation_id, message: 'Hello there' }) });
    expect(chat.status).toBe(200);
    const answer = await chat.json();
    // The answer is the real llama-server's (started on demand by this request), with ollama's counts.
    expect(answer.model).toBe('tiny');
    expect(typeof answer.response).toBe('string');
    expect(answer.response.length).toBeGreaterThan(0);
    expect(answer.metrics.eval_count).toBeGreaterThan(0);
    expect(answer.metrics.eval_count).toBeLessThanOrEqual(8);
    expect(answer.metrics.prompt_eval_count).toBeGreaterThan(0);
    expect(answer.metrics.load_duration).toBeGreaterThan(0); // it waited for the cold start
    expect(await state('llama')).toBe('ready');
    // The request went through the endpoint: its serve log has the line, with the tokens and the cold start's wait.
    const log = await waitFor(async () => {
      const run = await stack.cli(['logs', 'serve']);
      return /tiny -> llama 200/.test(run.stdout) ? run.stdout : null;
    }, 'the serve log line');
    expect(log).toMatch(new RegExp(`tiny -> llama 200 tokens \\d+/${answer.metrics.eval_count} \\d+ms waited \\d+ms \\(cold start\\)`));
  });
});
