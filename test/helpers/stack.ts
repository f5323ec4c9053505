import fs from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { execa, type ResultPromise } from 'execa';
import { findFreePorts } from '../../src/process/free-ports.js';
import { httpGet } from '../../src/shared/http-get.js';
import { ProcTable } from '../../src/process/proc-table.js';
import { isAlive, waitFor } from './wait.js';

export const ROOT = fileURLToPath(new URL('../../', import.meta.url));
export const CLI = path.join(ROOT, 'bin', 'llama-top.js');
export const fixture = (name: string) => path.join(ROOT, 'test', 'fixtures', name);
export const NODE = process.execPath;
export const TINY_GGUF = fixture('tiny-llama.gguf');

/**
 * The llama-server the llama-server tests run: a real one when LLAMA_SERVER names its binary (CI builds
 * llama.cpp for this), else the fixture that speaks the same endpoints and log lines.
 */
export const REAL_LLAMA_SERVER = process.env.LLAMA_SERVER || null;
export const llamaServerCommand = (): string[] => (REAL_LLAMA_SERVER ? [REAL_LLAMA_SERVER] : [NODE, fixture('fake-llama-server.mjs')]);

export { findFreePorts, waitFor, isAlive };

/** What a command warned about on stderr (`start` also reports its progress there, a line per state change). */
export const warnings = (stderr: string): string[] => stderr.split('\n').filter((l) => /^(llama-top|warning):/.test(l));

export interface Stack {
  dir: string;
  configFile: string;
  env: Record<string, string>;
  ports: number[];
  cli(args: string[], options?: { reject?: boolean; timeout?: number; env?: Record<string, string> }): Promise<{ exitCode: number; stdout: string; stderr: string }>;
  spawnCli(args: string[]): ResultPromise;
  status(): Promise<Array<Record<string, any>>>;
  stateDir(): string;
  cleanup(): Promise<void>;
}

const stacks = new Set<Stack>();

/** A temporary directory with a config written from `yaml(ports, dir)` and its own state/runtime dirs. */
export async function makeStack(yaml: (ports: number[], dir: string) => string, portCount = 3): Promise<Stack> {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'llama-top-test-'));
  const ports = await findFreePorts(portCount);
  const configFile = path.join(dir, 'llama-top.yaml');
  fs.writeFileSync(configFile, yaml(ports, dir));
  const env = { XDG_STATE_HOME: path.join(dir, 'state'), XDG_RUNTIME_DIR: path.join(dir, 'run'), LLAMA_TOP_CONFIG: '', NO_COLOR: '1' };
  fs.mkdirSync(env.XDG_RUNTIME_DIR, { mode: 0o700 });
  const stack: Stack = {
    dir,
    configFile,
    env,
    ports,
    async cli(args, options = {}) {
      const run = await execa(NODE, [CLI, ...args, '--config', configFile], {
        env: { ...env, ...options.env },
        reject: false,
        timeout: options.timeout ?? 60_000,
        stdin: 'ignore',
      });
      return { exitCode: run.exitCode ?? -1, stdout: String(run.stdout), stderr: String(run.stderr) };
    },
    spawnCli(args) {
      return execa(NODE, [CLI, ...args, '--config', configFile], { env, reject: false, stdin: 'ignore' });
    },
    async status() {
      const run = await stack.cli(['status', '--json']);
      if (run.exitCode !== 0) throw new Error(`status failed: ${run.stderr}`);
      return JSON.parse(run.stdout).services;
    },
    stateDir() {
      const root = path.join(env.XDG_STATE_HOME, 'llama-top');
      const entry = fs.readdirSync(root).find((e) => e !== 'demo');
      return path.join(root, entry!);
    },
    async cleanup() {
      stacks.delete(stack);
      await stack.cli(['daemon', 'stop', '--all'], { timeout: 30_000 }).catch(() => undefined);
      killEverythingUnder(dir);
      fs.rmSync(dir, { recursive: true, force: true });
    },
  };
  stacks.add(stack);
  return stack;
}

/** Last resort: SIGKILL any process whose command line mentions the stack's directory (daemon, services). */
export function killEverythingUnder(dir: string): void {
  const table = ProcTable.read();
  for (const pid of table.byPid.keys()) {
    if (pid === process.pid) continue;
    let cmdline = '';
    let environ = '';
    try {
      cmdline = fs.readFileSync(`/proc/${pid}/cmdline`, 'utf8');
      environ = fs.readFileSync(`/proc/${pid}/environ`, 'utf8');
    } catch {
      continue;
    }
    if (cmdline.includes(dir) || environ.includes(dir)) {
      try {
        process.kill(pid, 'SIGKILL');
      } catch {
        // gone
      }
    }
  }
}

export async function cleanupAll(): Promise<void> {
  await Promise.all([...stacks].map((s) => s.cleanup()));
}

/**
 * One request straight to a daemon's socket (`daemon status --json` names it): no CLI process started, so a test
 * that must ask often still asks often on a loaded machine. Resolves with its result; rejects with its error.
 */
export function daemonRequest<T = any>(socketPath: string, request: Record<string, unknown>, timeoutMs = 20_000): Promise<T> {
  return new Promise((resolve, reject) => {
    const socket = net.connect(socketPath, () => socket.write(`${JSON.stringify({ id: 1, ...request })}\n`));
    const timer = setTimeout(() => socket.destroy(new Error(`no answer to ${String(request.type)} in ${timeoutMs} ms`)), timeoutMs);
    let buffered = '';
    socket.on('data', (chunk) => {
      buffered += String(chunk);
      for (let nl = buffered.indexOf('\n'); nl >= 0; nl = buffered.indexOf('\n')) {
        const message = JSON.parse(buffered.slice(0, nl));
        buffered = buffered.slice(nl + 1);
        if (message.id !== 1) continue;
        clearTimeout(timer);
        socket.end();
        if (message.ok) resolve(message.result as T);
        else reject(new Error(`${message.code}: ${message.message}`));
      }
    });
    socket.on('error', (error) => {
      clearTimeout(timer);
      reject(error);
    });
  });
}

export async function answers(port: number, urlPath: string): Promise<boolean> {
  try {
    const res = await httpGet('127.0.0.1', port, urlPath, 1000);
    return res.status === 200;
  } catch {
    return false;
  }
}

/** A three-service stack of fixtures: llama (llama-server kind), ollama, chat (app, depends on llama). */
export const threeServices = (extra: { llama?: string; ollama?: string; chat?: string; top?: string } = {}) => (ports: number[], dir: string) => {
  fs.copyFileSync(TINY_GGUF, path.join(dir, 'tiny.gguf'));
  fs.writeFileSync(path.join(dir, 'chat.json'), JSON.stringify({ backend: { active: 'llamacpp' } }));
  return `name: test-stack
restart: { backoff: 200ms, maxBackoff: 1s }
${extra.top ?? ''}
services:
  llama:
    kind: llama-server
    command: [${JSON.stringify(NODE)}, ${JSON.stringify(fixture('fake-llama-server.mjs'))}]
    model: ./tiny.gguf
    port: ${ports[0]}
${extra.llama?.includes('stopTimeout') ? '' : '    stopTimeout: 3s'}
${extra.llama ?? ''}
  ollama:
    kind: ollama
    command: [${JSON.stringify(NODE)}, ${JSON.stringify(fixture('fake-ollama.mjs'))}]
    port: ${ports[1]}
${extra.ollama?.includes('stopTimeout') ? '' : '    stopTimeout: 3s'}
${extra.ollama ?? ''}
  chat:
    kind: app
    command: [${JSON.stringify(NODE)}, ${JSON.stringify(fixture('fake-chat-app.mjs'))}]
    port: ${ports[2]}
    env: { CONFIG_FILE: ./chat.json }
    health: { http: /health }
    dependsOn: [llama]
    stopTimeout: 3s
${extra.chat ?? ''}
`;
};
