import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { findFreePorts } from '../process/free-ports.js';

const PACKAGE_ROOT = fileURLToPath(new URL('../../', import.meta.url));
const fixture = (name: string) => path.join(PACKAGE_ROOT, 'test', 'fixtures', name);

/**
 * Writes (once) the built-in demo stack: fake llama-server, ollama and chat app shipped in the package, and light
 * traffic against them (completions at 40 tok/s on 2 slots, chat messages) so the first screen shows life.
 */
export async function writeDemoConfig(env: NodeJS.ProcessEnv = process.env): Promise<string> {
  const root = env.XDG_STATE_HOME ? path.join(env.XDG_STATE_HOME, 'llama-top') : path.join(os.homedir(), '.local', 'state', 'llama-top');
  const dir = path.join(root, 'demo');
  const file = path.join(dir, 'llama-top.yaml');
  if (fs.existsSync(file) && fs.readFileSync(file, 'utf8').includes(fixture('demo-traffic.mjs'))) return file;
  fs.mkdirSync(path.join(dir, 'models'), { recursive: true });
  const model = path.join(dir, 'models', 'tiny-llama.gguf');
  if (!fs.existsSync(model)) fs.writeFileSync(model, demoGguf());
  const chatConfig = path.join(dir, 'chat-config.json');
  if (!fs.existsSync(chatConfig)) fs.writeFileSync(chatConfig, `${JSON.stringify({ backend: { active: 'llamacpp' }, server: { port: 0 } }, null, 2)}\n`);
  const [llamaPort, ollamaPort, chatPort] = await findFreePorts(3, [18134, 11535, 13113]);
  const node = JSON.stringify(process.execPath);
  fs.writeFileSync(
    file,
    `# The llama-top demo stack: fake servers that speak llama-server's, ollama's and a chat app's endpoints.
name: demo
services:
  llama:
    kind: llama-server
    command: [${node}, ${JSON.stringify(fixture('fake-llama-server.mjs'))}]
    model: ./models/tiny-llama.gguf
    port: ${llamaPort}
    args: [--load-ms, "1500", --tok-s, "40", --parallel, "2"]
  ollama:
    kind: ollama
    command: [${node}, ${JSON.stringify(fixture('fake-ollama.mjs'))}]
    port: ${ollamaPort}
  chat:
    kind: app
    command: [${node}, ${JSON.stringify(fixture('fake-chat-app.mjs'))}, --port, "${chatPort}"]
    port: ${chatPort}
    env: { CONFIG_FILE: ./chat-config.json }
    health: { http: /health }
    dependsOn: [llama]
  traffic:
    kind: process
    command: [${node}, ${JSON.stringify(fixture('demo-traffic.mjs'))}, --llama, "http://127.0.0.1:${llamaPort}", --chat, "http://127.0.0.1:${chatPort}"]
    readyAfter: 500ms
    dependsOn: [llama, chat]
backend:
  app: chat
  file: ./chat-config.json
  key: backend.active
  choices: { llamacpp: llama, ollama: ollama }
`,
  );
  return file;
}

/**
 * A GGUF header without weights (a few hundred bytes): `llama-top models` reads it like a real 7B Q4_K_M file.
 * The fake llama-server never loads it.
 */
export function demoGguf(): Buffer {
  const parts: Buffer[] = [];
  const u32 = (n: number) => { const b = Buffer.alloc(4); b.writeUInt32LE(n); parts.push(b); };
  const u64 = (n: number) => { const b = Buffer.alloc(8); b.writeBigUInt64LE(BigInt(n)); parts.push(b); };
  const str = (s: string) => { u64(Buffer.byteLength(s)); parts.push(Buffer.from(s)); };
  const kvString = (k: string, v: string) => { str(k); u32(8); str(v); };
  const kvU32 = (k: string, v: number) => { str(k); u32(4); u32(v); };
  const tensors: Array<[string, number[]]> = [['token_embd.weight', [4096, 32000]], ['blk.0.attn_q.weight', [4096, 4096]], ['output.weight', [4096, 32000]]];
  parts.push(Buffer.from('GGUF'));
  u32(3);
  u64(tensors.length);
  u64(4);
  kvString('general.architecture', 'llama');
  kvString('general.name', 'llama-top demo (header only, no weights)');
  kvU32('llama.context_length', 4096);
  kvU32('general.file_type', 15);
  for (const [name, dims] of tensors) {
    str(name);
    u32(dims.length);
    for (const d of dims) u64(d);
    u32(12);
    u64(0);
  }
  return Buffer.concat(parts);
}
