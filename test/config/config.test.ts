import os from 'node:os';
import { describe, expect, it } from 'vitest';
import { parseBytes, parseDuration } from '../../src/config/durations.js';
import { parseConfigText } from '../../src/config/load.js';
import { splitCommand } from '../../src/config/split-command.js';

const logsDir = () => '/state/logs';
const load = (yaml: string) => parseConfigText(yaml, '/cfg/llama-top.yaml', logsDir);

describe('durations and sizes', () => {
  it('parse milliseconds and units', () => {
    expect([parseDuration(250), parseDuration('500ms'), parseDuration('10s'), parseDuration('2m'), parseDuration('1.5h')]).toEqual([250, 500, 10_000, 120_000, 5_400_000]);
    expect(parseDuration('soon')).toBeNull();
    expect(parseDuration(-1)).toBeNull();
    expect([parseBytes('50MB'), parseBytes('512kb'), parseBytes(10)]).toEqual([52_428_800, 524_288, 10]);
  });
});

describe('splitCommand', () => {
  it('splits like a shell, without running one', () => {
    expect(splitCommand(`python3 app.py --name "my app" 'a b' c\\ d`)).toEqual(['python3', 'app.py', '--name', 'my app', 'a b', 'c d']);
    expect(splitCommand(`echo "" x`)).toEqual(['echo', '', 'x']);
    expect(() => splitCommand(`echo "oops`)).toThrow(/unterminated/);
  });
});

describe('loadConfig', () => {
  it('applies the presets and defaults of DESIGN.md', () => {
    const cfg = load(`
services:
  llama:
    kind: llama-server
    model: ./models/tiny.gguf
    port: 8134
    args: [-c, 2048]
    env: { LLAMA_ARG_THREADS: 2 }
  ollama:
    kind: ollama
  chat:
    kind: app
    command: python3 app.py
    cwd: ./chat
    port: 3113
    health: { http: /health }
    dependsOn: [llama]
    restart: { maxRetries: 3 }
`);
    const [llama, ollama, chat] = cfg.services;
    expect(cfg.name).toBe('cfg');
    expect(cfg.logs).toEqual({ dir: '/state/logs', maxFiles: 10, maxBytes: 50 * 1024 * 1024 });
    expect(llama!.argv).toEqual(['llama-server', '-m', '/cfg/models/tiny.gguf', '--host', '127.0.0.1', '--port', '8134', '--metrics', '-c', '2048']);
    expect(llama!.env).toMatchObject({ LLAMA_ARG_THREADS: '2', PYTHONUNBUFFERED: '1' });
    expect(llama!.health).toEqual({ type: 'http', path: '/health', loadingStatus: 503 });
    expect(llama!).toMatchObject({ startTimeoutMs: 120_000, stopTimeoutMs: 10_000, autostart: true });
    expect(llama!.restart).toEqual({ maxRetries: 5, backoffMs: 1000, maxBackoffMs: 16_000, resetAfterMs: 60_000, onUnhealthy: true });
    expect(ollama!.argv).toEqual(['ollama', 'serve']);
    expect(ollama!.env.OLLAMA_HOST).toBe('127.0.0.1:11434');
    expect(ollama!.health).toMatchObject({ path: '/api/version' });
    expect(chat!.argv).toEqual(['python3', 'app.py']);
    expect(chat!.cwd).toBe('/cfg/chat');
    expect(chat!.health).toEqual({ type: 'http', path: '/health' });
    expect(chat!.restart.maxRetries).toBe(3);
  });

  it('defaults: app with a port uses TCP; a process is ready after readyAfter', () => {
    const cfg = load('services:\n  a: { kind: app, command: x, port: 9 }\n  w: { kind: process, command: [node, w.js], readyAfter: 2s }\n');
    expect(cfg.services[0]!.health).toEqual({ type: 'tcp' });
    expect(cfg.services[1]!.health).toEqual({ type: 'alive', afterMs: 2000 });
  });

  it('expands ~/ to the home directory in paths', () => {
    const cfg = load('services:\n  llama: { kind: llama-server, model: ~/models/x.gguf, port: 9 }\n');
    expect(cfg.services[0]!.model).toBe(`${os.homedir()}/models/x.gguf`);
  });

  it('refuses two services on one port and an unknown backend service', () => {
    expect(() => load('services:\n  a: { kind: app, command: x, port: 9 }\n  b: { kind: app, command: y, port: 9 }\n')).toThrow(/llama-top\.yaml:3:\d+ services\.b\.port: port 9 is also used by service a/);
    expect(() => load('services:\n  a: { kind: app, command: x }\nbackend: { app: a, choices: { x: nope } }\n')).toThrow(/backend\.choices\.x: unknown service "nope"/);
  });
});

describe('config papercuts a first user hits', () => {
  it('takes numbers in a command list as words', () => {
    const config = load('services:\n  flood:\n    kind: process\n    command: [python3, flood.py, 100, 2.5]\n');
    expect(config.services[0]!.argv).toEqual(['python3', 'flood.py', '100', '2.5']);
  });

  it('says the rule when a service name breaks it, at the name', () => {
    expect(() => load('services:\n  my web:\n    kind: process\n    command: [x]\n')).toThrow(
      '/cfg/llama-top.yaml:2:3 services: "my web" is not a valid name: service names use letters, digits, . _ -',
    );
  });

  it('merges YAML merge keys, with anchors kept under a top-level x- key', () => {
    const config = load(`x-common: &common
  kind: process
  readyAfter: 2s
  env: { HF_HOME: /models }
services:
  a:
    <<: *common
    command: [a]
  b:
    <<: *common
    command: [b]
    readyAfter: 5s
`);
    expect(config.services.map((s) => [s.name, s.kind, s.env.HF_HOME])).toEqual([
      ['a', 'process', '/models'],
      ['b', 'process', '/models'],
    ]);
    expect(config.services.map((s) => s.health)).toEqual([{ type: 'alive', afterMs: 2000 }, { type: 'alive', afterMs: 5000 }]);
  });
});

describe('inference liveness settings', () => {
  it('on by default for LLM servers that can tell (60 s, 30 s), off with false, absent for apps', () => {
    const config = load(`services:
  llama: { kind: llama-server, model: /m.gguf }
  quiet: { kind: llama-server, model: /m.gguf, port: 8081, health: { inference: false } }
  fast: { kind: llama-server, model: /m.gguf, port: 8082, health: { inference: { interval: 10s, timeout: 5s } } }
  chat: { kind: app, command: x }
`);
    expect(config.services.map((s) => [s.name, s.inference])).toEqual([
      ['llama', { intervalMs: 60_000, timeoutMs: 30_000 }],
      ['quiet', null],
      ['fast', { intervalMs: 10_000, timeoutMs: 5_000 }],
      ['chat', null],
    ]);
  });
});
