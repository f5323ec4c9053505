import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import type { ChatApp, Detected } from '../../src/commands/init-detect.js';
import { backendChoices, renderInitConfig } from '../../src/commands/init-write.js';
import { parseConfigText } from '../../src/config/load.js';
import { missingModuleHint, parseRequirements, projectDependencies, pythonCommandFor } from '../../src/kinds/python.js';

const nothing: Detected = { dir: '/home/me/stack', binaries: { 'llama-server': null, ollama: null, vllm: null }, models: [], chat: null };
const chat = (over: Partial<ChatApp> = {}): ChatApp => ({
  dir: '/home/me/stack/chat-o-llama', configFile: '/home/me/stack/chat-o-llama/config.json', entry: 'app.py', port: 3113, active: 'ollama',
  ollamaPort: 11434, ollamaHost: 'localhost', hasLlamacpp: true, llamacppModelPath: './llama_models', hasOllama: true, ollamaBaseUrl: 'http://localhost:11434',
  python: { argv: ['./venv/bin/python', 'app.py'], why: "the app's virtual environment (./venv) has its packages" }, ...over,
});
const load = (text: string) => parseConfigText(text, '/home/me/stack/llama-top.yaml', () => '/state/logs');

describe('init writes a config whenever it finds anything', () => {
  it('a llama-server without a model: the service, with what is missing, in a config that loads', () => {
    const text = renderInitConfig({ ...nothing, binaries: { ...nothing.binaries, 'llama-server': '/usr/local/bin/llama-server' } }).text;
    expect(text).toMatch(/# llama-server found at \/usr\/local\/bin\/llama-server, but no GGUF model in \.\/models/);
    expect(text).toMatch(/model: \.\/models\/your-model\.gguf {3}# TODO: no GGUF model found/);
    expect(load(text).services.map((s) => s.name)).toEqual(['llama']);
  });

  it('each kind writes its own service: a vLLM found on PATH gets one, with its model to set; none found, no vllm lines', () => {
    const text = renderInitConfig({ ...nothing, binaries: { ...nothing.binaries, vllm: '/opt/vllm/bin/vllm' } }).text;
    expect(text).toMatch(/# vllm found at \/opt\/vllm\/bin\/vllm\n {2}vllm:\n {4}kind: vllm\n {4}model: Qwen\/Qwen2\.5-1\.5B-Instruct {3}# TODO/);
    expect(load(text).services.map((s) => s.name)).toEqual(['vllm']);
    expect(renderInitConfig({ ...nothing, chat: chat() }).text).not.toMatch(/vllm/);
  });

  it("the chat app's current backend is always a choice, even with no ollama here (else one switch and no way back)", () => {
    expect(backendChoices(chat(), [])).toEqual([
      { name: 'ollama', service: null, comment: 'no ollama on PATH here: the app reaches ollama at http://localhost:11434 itself' },
      { name: 'llamacpp', service: null, comment: 'inside the app (llama-cpp-python), checked by health: below' },
    ]);
    expect(backendChoices(chat(), ['ollama'])[0]).toEqual({ name: 'ollama', service: 'ollama', comment: null });
    expect(backendChoices(chat({ active: 'openai', hasLlamacpp: false, hasOllama: false }), []).map((c) => c.name)).toEqual(['openai']);
    const config = load(renderInitConfig({ ...nothing, chat: chat() }).text);
    expect(config.backend!.choices).toEqual({ ollama: null, llamacpp: null });
    expect(config.backend!.health.llamacpp).toMatchObject({ argv: ['./venv/bin/python', '-c', expect.stringContaining("find_spec('llama_cpp')")] });
    expect(config.services[0]).toMatchObject({ name: 'chat', argv: ['./venv/bin/python', 'app.py'] });
  });
});

describe("init's ollama bridge: Chat-O-Llama with llama-server and no ollama", () => {
  const found = (over: Partial<Detected> = {}): Detected => ({
    ...nothing,
    binaries: { ...nothing.binaries, 'llama-server': '/usr/local/bin/llama-server' },
    models: ['/home/me/stack/models/qwen.gguf'],
    chat: chat(),
    ...over,
  });

  it("the endpoint listens where the app's ollama backend looks, says why, and ollama becomes a working choice", () => {
    const { text, notes } = renderInitConfig(found());
    expect(text).toMatch(/# The chat app's ollama backend \(config\.json: ollama\.base_url = http:\/\/localhost:11434\) finds no ollama on this machine\./);
    expect(text).toMatch(/^serve: \{ listen: 127\.0\.0\.1:11434 \}$/m);
    expect(text).not.toMatch(/^# serve:/m); // the live block replaces the commented one
    expect(notes.join('\n')).not.toMatch(/set ollama\.base_url/); // the app needs no change
    expect(text).toMatch(/ollama: llama {3}# llama-top's endpoint at http:\/\/localhost:11434 \(serve: below\) speaks ollama's API for llama's models/);
    expect(notes).toContain("chat: no ollama here, so its ollama backend (http://localhost:11434) is llama-top's endpoint (serve.listen 127.0.0.1:11434), which speaks ollama's API for llama's models");
    const config = load(text);
    expect(config.serve).toMatchObject({ host: '127.0.0.1', port: 11434 });
    expect(config.backend!.choices).toEqual({ ollama: 'llama', llamacpp: null });
    expect(config.services.find((s) => s.name === 'chat')!.dependsOn).toEqual(['llama']);
    // One name for the model in the app's list: its file's, not the service's and the file's both.
    expect(text).toMatch(/ {4}model: \.\/models\/qwen\.gguf\n {4}models: \["qwen"\] {3}# the name ollama's clients/);
    expect(config.services.find((s) => s.name === 'llama')!.models).toEqual(['qwen']);
  });

  it('not offered with an ollama on PATH, an ollama on another machine, or no llama-server', () => {
    const withOllama = renderInitConfig(found({ binaries: { ...nothing.binaries, 'llama-server': '/usr/bin/llama-server', ollama: '/usr/bin/ollama' } })).text;
    expect(withOllama).not.toMatch(/^serve:/m);
    expect(withOllama).toMatch(/^# serve:/m);
    expect(renderInitConfig(found({ chat: chat({ ollamaHost: 'gpu-box', ollamaBaseUrl: 'http://gpu-box:11434' }) })).text).not.toMatch(/^serve:/m);
    expect(renderInitConfig(found({ binaries: nothing.binaries })).text).not.toMatch(/^serve:/m);
  });
});

describe('Python apps', () => {
  it("pick the app's venv, else uv run for a uv project, else python3", () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'py-'));
    fs.writeFileSync(path.join(dir, 'pyproject.toml'), '[project]\nname = "x"\n');
    fs.writeFileSync(path.join(dir, 'uv.lock'), '');
    expect(pythonCommandFor(dir, 'app.py', true).argv).toEqual(['uv', 'run', 'python', 'app.py']);
    expect(pythonCommandFor(dir, 'app.py', false).argv).toEqual(['python3', 'app.py']);
    fs.mkdirSync(path.join(dir, '.venv', 'bin'), { recursive: true });
    fs.writeFileSync(path.join(dir, '.venv', 'bin', 'python'), '#!/bin/sh\n', { mode: 0o755 });
    expect(pythonCommandFor(dir, 'app.py', true).argv).toEqual(['./.venv/bin/python', 'app.py']);
    expect(missingModuleHint("ModuleNotFoundError: No module named 'flask'", dir, 'python3')).toBe(
      "python3 has no module flask, but ./.venv/bin/python is here: run the app with it (command: [./.venv/bin/python, …])",
    );
    expect(missingModuleHint('Traceback (most recent call last):', dir, 'python3')).toBeNull();
    fs.rmSync(dir, { recursive: true });
  });

  it('read requirements.txt and pyproject.toml dependencies', () => {
    expect(parseRequirements(['Flask>=2.0 ; python_version > "3.8"', '# comment', '-r other.txt', 'requests[socks]==2.31', 'git+https://x/y.git', ''])).toEqual(['Flask', 'requests']);
    expect(projectDependencies('[project]\nname = "chat"\ndependencies = [\n  "flask>=3.0",\n  \'requests\',\n]\n[tool.uv]\ndev = ["pytest"]\n')).toEqual(['flask>=3.0', 'requests']);
    expect(projectDependencies('[tool.poetry]\nname = "x"\n')).toBeNull();
  });
});
