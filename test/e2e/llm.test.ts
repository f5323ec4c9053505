import fs from 'node:fs';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { cleanupAll, fixture, makeStack, NODE, threeServices, TINY_GGUF, waitFor } from '../helpers/stack.js';

afterEach(cleanupAll);

const backendYaml = (extra = '') => `backend:
  app: chat
  file: ./chat.json
  key: backend.active
  choices: { llamacpp: llama, ollama: ollama }
${extra}`;

const chatBackend = async (port: number) => (await fetch(`http://127.0.0.1:${port}/api/backend`).then((r) => r.json())) as { active: string; baseUrl: string | null };

describe('models and live LLM stats', () => {
  it('models --json: what llama-server serves with its GGUF header, and ollama installed and loaded models', async () => {
    const stack = await makeStack(threeServices());
    expect((await stack.cli(['start', 'llama', 'ollama'])).exitCode).toBe(0);
    const run = await stack.cli(['models', '--json']);
    expect(run.exitCode).toBe(0);
    const [llama, ollama] = JSON.parse(run.stdout).services;
    expect(llama).toMatchObject({ service: 'llama', served: ['tiny.gguf'], gguf: { architecture: 'llama', name: 'tiny-llama-random', parameterCount: 4178240, fileType: 'F16', contextLength: 512, fileSize: 9246112 } });
    expect(ollama.installed).toContainEqual({ name: 'llama3.2:1b', sizeBytes: 1321098329, family: 'llama', parameterSize: '1.2B', quantization: 'Q8_0' });
    expect(ollama.loaded[0]).toMatchObject({ name: 'llama3.2:1b', sizeVramBytes: 1321098329 });
    const text = await stack.cli(['models']);
    expect(text.stdout).toMatch(/parameters\s+4\.18M/);
    expect(text.stdout).toMatch(/llama3\.2:1b\s+1\.2G\s+llama\s+1\.2B\s+Q8_0\s+loaded, 1\.2G in VRAM, unloads in \d+m\d+s/);
  });

  it('a truncated model file is reported as such, with exit 1 and no crash', async () => {
    const stack = await makeStack(threeServices());
    expect((await stack.cli(['start', 'llama'])).exitCode).toBe(0);
    const model = path.join(stack.dir, 'tiny.gguf');
    fs.writeFileSync(model, fs.readFileSync(model).subarray(0, 50_000)); // damaged under the running server
    const run = await stack.cli(['models', 'llama']);
    expect(run.exitCode).toBe(1);
    expect(run.stdout).toMatch(/tiny\.gguf: truncated GGUF file/);
  });

  it('status shows token rates and slots, says when metrics are off, and GPU memory from nvidia-smi', async () => {
    const stack = await makeStack(threeServices({ ollama: '    args: []' }));
    const bin = path.join(stack.dir, 'bin');
    fs.mkdirSync(bin);
    const gpuOut = path.join(stack.dir, 'gpu.csv');
    fs.writeFileSync(gpuOut, '');
    fs.writeFileSync(path.join(bin, 'nvidia-smi'), `#!/bin/sh\ncat '${gpuOut}'\n`, { mode: 0o755 });
    stack.env.PATH = `${bin}:${process.env.PATH}`;
    expect((await stack.cli(['start', 'llama', 'ollama'])).exitCode).toBe(0);
    const llamaPid = (await stack.status())[0]!.pid;
    fs.writeFileSync(gpuOut, `${llamaPid}, 2048\n`);
    const llama = await waitFor(async () => {
      await fetch(`http://127.0.0.1:${stack.ports[0]}/completion`, { method: 'POST', body: '{}' }); // 16 tokens each
      const s = (await stack.status())[0]!;
      return s.llm?.generationTokensPerSecond !== null && s.gpuMemoryBytes === 2048 * 1024 * 1024 ? s : null;
    }, 'token rates and GPU memory');
    expect(llama.llm).toMatchObject({ metricsEnabled: true, slotsBusy: 0, slotsTotal: 1 });
    expect(llama.llm.generationTokensPerSecond).toBeGreaterThan(0);
    expect(llama.llm.promptTokensPerSecond).toBeGreaterThan(0);
    const table = await stack.cli(['status']);
    expect(table.stdout).toMatch(/GPU MEM/);
    expect(table.stdout).toMatch(/llama .* 2\.0G .* tok\/s · 42\.1 tok\/s per request · 0\/1 slots busy/); // throughput, then the server's own per-request speed
    expect(table.stdout).toMatch(/ollama .* llama3\.2:1b \(\d+m\d+s left\)/);

    const off = await makeStack(threeServices({ llama: '    args: [--metrics-off]' }));
    expect((await off.cli(['start', 'llama'])).exitCode).toBe(0);
    const s = await waitFor(async () => (await off.status())[0]!.llm, 'stats');
    expect(s.metricsEnabled).toBe(false);
    const offTable = await off.cli(['status']);
    expect(offTable.stdout).toMatch(/metrics off \(add --metrics\)/);
    expect(offTable.stdout).not.toMatch(/GPU MEM/); // no nvidia-smi here: nothing about GPUs
  });
});

describe('backend switching', () => {
  it('status/list/health show each backend, its service and health; health exits 1 with the reason', async () => {
    const stack = await makeStack(threeServices({ top: backendYaml() }));
    expect((await stack.cli(['start', 'llama', 'chat'])).exitCode).toBe(0);
    const status = JSON.parse((await stack.cli(['backend', 'status', '--json'])).stdout);
    expect(status).toEqual({
      active: 'llamacpp',
      app: 'chat',
      backends: [
        { name: 'llamacpp', service: 'llama', healthy: true, reason: null, active: true },
        { name: 'ollama', service: 'ollama', healthy: false, reason: 'service ollama is stopped', active: false },
      ],
    });
    const list = await stack.cli(['backend', 'list']);
    expect(list.stdout).toMatch(/› ✓ llamacpp\s+service llama/);
    expect(list.stdout).toMatch(/✗ ollama\s+service ollama\s+service ollama is stopped/);
    expect((await stack.cli(['backend', 'health', 'llamacpp'])).exitCode).toBe(0);
    const bad = await stack.cli(['backend', 'health', 'ollama']);
    expect(bad.exitCode).toBe(1);
    expect(bad.stdout).toMatch(/service ollama is stopped/);
    expect((await stack.cli(['backend', 'health'])).exitCode).toBe(1);
  });

  it('switch starts the target, rewrites only the key, restarts the app, which then uses it; stopOther frees the old one', async () => {
    const stack = await makeStack(threeServices({ top: backendYaml('  stopOther: true') }));
    const chatFile = path.join(stack.dir, 'chat.json');
    const original = '{\n    "backend": { "active": "llamacpp", "comment": "keep me" },\n    "ollama": { "base_url": "http://127.0.0.1:11434" },\n    "server": { "port": 3113 }\n}\n';
    fs.writeFileSync(chatFile, original);
    expect((await stack.cli(['start'])).exitCode).toBe(0);
    expect((await chatBackend(stack.ports[2]!)).active).toBe('llamacpp');
    const chatPid = (await stack.status())[2]!.pid;
    const run = await stack.cli(['backend', 'switch', 'ollama']);
    expect(run.stderr).toBe('');
    expect(run.exitCode).toBe(0);
    expect(run.stdout).toMatch(/✓ chat switched from llamacpp to ollama in \d+\.\ds; stopped llama/);
    expect(fs.readFileSync(chatFile, 'utf8')).toBe(original.replace('"active": "llamacpp"', '"active": "ollama"'));
    expect((await chatBackend(stack.ports[2]!)).active).toBe('ollama');
    const [llama, ollama, chat] = await stack.status();
    expect(chat!.pid).not.toBe(chatPid);
    expect(ollama!.state).toBe('ready');
    expect(llama!.state).toBe('stopped');
    const again = await stack.cli(['backend', 'switch', 'ollama']);
    expect(again.stdout).toMatch(/chat already uses ollama/);
  });

  it('a failed app restart restores the old value and leaves the app on the old backend', async () => {
    const stack = await makeStack(threeServices({ top: backendYaml(), chat: '    args: [--fail-on-backend, ollama]\n    restart: { maxRetries: 0 }' }));
    expect((await stack.cli(['start'])).exitCode).toBe(0);
    const chatFile = path.join(stack.dir, 'chat.json');
    const before = fs.readFileSync(chatFile, 'utf8');
    const run = await stack.cli(['backend', 'switch', 'ollama']);
    expect(run.exitCode).toBe(1);
    expect(run.stderr).toMatch(/switch to ollama failed at step 3 \(restart chat\): exited with code 2: ERROR: cannot connect to backend ollama.*restored backend\.active = llamacpp/);
    expect(fs.readFileSync(chatFile, 'utf8')).toBe(before);
    await waitFor(async () => (await stack.status())[2]!.state === 'ready', 'chat back up');
    expect((await chatBackend(stack.ports[2]!)).active).toBe('llamacpp');
  });

  it('refuses an unknown backend (exit 2), a down backend that cannot start, and a chat config that is not JSON', async () => {
    const stack = await makeStack(threeServices({ top: backendYaml(), ollama: '    args: [--crash-after-ms, "0"]\n    restart: { maxRetries: 0 }' }));
    expect((await stack.cli(['start', 'llama', 'chat'])).exitCode).toBe(0);
    const unknown = await stack.cli(['backend', 'switch', 'vllm']);
    expect(unknown.exitCode).toBe(2);
    expect(unknown.stderr).toMatch(/unknown backend "vllm" \(backends: llamacpp, ollama\)/);
    const chatFile = path.join(stack.dir, 'chat.json');
    const before = fs.readFileSync(chatFile, 'utf8');
    const down = await stack.cli(['backend', 'switch', 'ollama']);
    expect(down.exitCode).toBe(1);
    expect(down.stderr).toMatch(/switch to ollama refused: step 1 \(start ollama\) failed: exited with code 1: fatal error: simulated crash/);
    expect(fs.readFileSync(chatFile, 'utf8')).toBe(before);
    const forced = await stack.cli(['backend', 'switch', 'ollama', '--force']);
    expect(forced.exitCode).toBe(0);
    expect((await chatBackend(stack.ports[2]!)).active).toBe('ollama');
    fs.writeFileSync(chatFile, '{ "backend": { "active": "llamacpp", } oops');
    const invalid = await stack.cli(['backend', 'status']);
    expect(invalid.exitCode).toBe(1);
    expect(invalid.stderr).toMatch(/chat\.json:1:\d+: not valid JSON .*left untouched/);
    expect(fs.readFileSync(chatFile, 'utf8')).toBe('{ "backend": { "active": "llamacpp", } oops');
  });

  it('switches by environment variables when the app reads its backend from env', async () => {
    const stack = await makeStack(threeServices({
      top: `backend:
  app: chat
  env:
    llamacpp: { LLM_BASE_URL: "http://127.0.0.1:1/v1" }
    ollama: { LLM_BASE_URL: "http://127.0.0.1:2/v1" }
  choices: { llamacpp: llama, ollama: ollama }
`,
      chat: '    env: { CONFIG_FILE: ./chat.json, LLM_BASE_URL: "http://127.0.0.1:1/v1" }',
    }).bind(null));
    // The chat entry above replaces the default env line: drop the duplicate key the template wrote.
    const yaml = fs.readFileSync(stack.configFile, 'utf8').replace('    env: { CONFIG_FILE: ./chat.json }\n', '');
    fs.writeFileSync(stack.configFile, yaml);
    expect((await stack.cli(['start'])).exitCode).toBe(0);
    expect((await chatBackend(stack.ports[2]!)).baseUrl).toBe('http://127.0.0.1:1/v1');
    expect(JSON.parse((await stack.cli(['backend', 'status', '--json'])).stdout).active).toBe('llamacpp');
    const run = await stack.cli(['backend', 'switch', 'ollama']);
    expect(run.exitCode).toBe(0);
    expect((await chatBackend(stack.ports[2]!)).baseUrl).toBe('http://127.0.0.1:2/v1');
    expect(JSON.parse((await stack.cli(['backend', 'status', '--json'])).stdout).active).toBe('ollama');
  });
});

describe('init', () => {
  it('writes a commented config from binaries on PATH, ./models, a Chat-O-Llama app and .llama-proxy-config.json, which then starts', async () => {
    const stack = await makeStack(() => 'services:\n  placeholder: { kind: process, command: "true" }\n', 3);
    const dir = path.join(stack.dir, 'project');
    fs.mkdirSync(path.join(dir, 'models'), { recursive: true });
    fs.mkdirSync(path.join(dir, 'chat'));
    fs.mkdirSync(path.join(stack.dir, 'bin'));
    fs.copyFileSync(TINY_GGUF, path.join(dir, 'models', 'tiny.gguf'));
    const [llamaPort, ollamaPort, chatPort] = stack.ports;
    for (const [name, script] of [['llama-server', 'fake-llama-server.mjs'], ['ollama', 'fake-ollama.mjs']] as const)
      fs.writeFileSync(path.join(stack.dir, 'bin', name), `#!/bin/sh\nexec '${NODE}' '${fixture(script)}' "$@"\n`, { mode: 0o755 });
    fs.copyFileSync(fixture('chat-o-llama/app.py'), path.join(dir, 'chat', 'app.py'));
    fs.writeFileSync(path.join(dir, 'chat', 'config.json'), JSON.stringify({ backend: { active: 'ollama' }, ollama: { base_url: `http://127.0.0.1:${ollamaPort}` }, llamacpp: { model_path: '../models/tiny.gguf' }, server: { port: chatPort } }, null, 2));
    fs.writeFileSync(path.join(dir, '.llama-proxy-config.json'), JSON.stringify({ llama_server_host: '127.0.0.1', llama_server_port: llamaPort, llama_model_path: './models/tiny.gguf' }));
    const env = { ...stack.env, PATH: `${path.join(stack.dir, 'bin')}:${process.env.PATH}` };
    const { execa } = await import('execa');
    const cli = (args: string[]) => execa(NODE, [path.join(process.cwd(), 'bin', 'llama-top.js'), ...args], { cwd: dir, env, reject: false, stdin: 'ignore' });

    const init = await cli(['init']);
    expect(init.stderr).toBe('');
    expect(init.exitCode).toBe(0);
    expect(init.stdout).toMatch(/wrote .*llama-top\.yaml with 3 service\(s\): llama, ollama, chat/);
    const yaml = fs.readFileSync(path.join(dir, 'llama-top.yaml'), 'utf8');
    expect(yaml).toMatch(/^# llama-top\.yaml, written by `llama-top init`/);
    expect(yaml).toMatch(/model: \.\/models\/tiny\.gguf/);
    expect(yaml).toMatch(new RegExp(`port: ${llamaPort} +# from \\.llama-proxy-config\\.json`));
    expect(yaml).toMatch(/# no venv\/ or \.venv\/ here: the system python3.*\n    command: \["python3","app\.py"\]\n    cwd: \.\/chat\n    env: \{ CONFIG_FILE: config\.json \}/);
    expect(yaml).toMatch(/health: \{ http: \/ \}/);
    expect(yaml).toMatch(/choices: .*\n    ollama: ollama\n    llamacpp: null   # inside the app/);
    expect(yaml).toMatch(/    llamacpp: \{ command: \["python3","-c","import sys, glob, importlib\.util as u; m = \\"\.\.\/models\/tiny\.gguf\\";/);

    const again = await cli(['init']);
    expect(again.exitCode).toBe(2);
    expect(again.stderr).toMatch(/already exists: not overwriting it/);
    expect((await cli(['init', '--force'])).exitCode).toBe(0);

    try {
      const start = await cli(['start']);
      expect(start.stdout + start.stderr).toMatch(/✓ llama ready[\s\S]*✓ ollama ready[\s\S]*✓ chat ready/);
      expect(start.exitCode).toBe(0);
      expect((await chatBackend(chatPort!)).active).toBe('ollama');
      // The app serves llamacpp itself (llama-cpp-python): its check runs. Where python3 has llama_cpp (a user's
      // machine may), the check passes and the switch needs no --force.
      const hasLlamaCpp = (await execa('python3', ['-c', 'import llama_cpp'], { reject: false })).exitCode === 0;
      const health = await cli(['backend', 'health', 'llamacpp']);
      expect(health.exitCode).toBe(hasLlamaCpp ? 0 : 1);
      if (hasLlamaCpp) expect(health.stdout).toMatch(/✓ llamacpp/);
      else {
        expect(health.stdout).toMatch(/✗ llamacpp\s+served by the app\s+llama-cpp-python package is required/);
        const refused = await cli(['backend', 'switch', 'llamacpp']);
        expect(refused.exitCode).toBe(1);
        expect(refused.stderr).toMatch(/switch to llamacpp refused: llama-cpp-python package is required .*--force to switch anyway/);
        expect((await chatBackend(chatPort!)).active).toBe('ollama');
      }
      const sw = await cli(['backend', 'switch', 'llamacpp', ...(hasLlamaCpp ? [] : ['--force'])]);
      expect(sw.exitCode).toBe(0);
      expect((await chatBackend(chatPort!)).active).toBe('llamacpp');
      const logs = await cli(['logs', 'chat']);
      expect(logs.stdout).toMatch(/Chat-O-Llama on http:\/\/127\.0\.0\.1:\d+ with backend llamacpp/); // PYTHONUNBUFFERED at work
    } finally {
      await cli(['daemon', 'stop', '--all']);
    }
  });
});
