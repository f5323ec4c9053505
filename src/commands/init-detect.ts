import fs from 'node:fs';
import path from 'node:path';
import { KIND_PRESETS } from '../kinds/index.js';
import type { KindPreset } from '../kinds/kind.js';
import { pythonCommandFor, type PythonCommand } from '../kinds/python.js';
import { resolveBinary } from '../process/spawner.js';

export interface ChatApp {
  dir: string;
  configFile: string;
  entry: string | null;
  port: number | null;
  active: string | null;
  ollamaPort: number | null;
  ollamaHost: string | null;
  /** The config lists a llamacpp backend, which Chat-O-Llama runs inside the app. */
  hasLlamacpp: boolean;
  /** llamacpp.model_path: where the in-app backend looks for GGUF files (relative to the app). */
  llamacppModelPath: string | null;
  /** The config has an ollama section (the app can talk to an ollama server). */
  hasOllama: boolean;
  ollamaBaseUrl: string | null;
  /** The interpreter to run it with, and why (its venv's, uv run, or python3). */
  python: PythonCommand;
}

export interface Detected {
  dir: string;
  /** Each kind's program on PATH (by kind, for the kinds init looks for), or null. */
  binaries: Record<string, string | null>;
  models: string[];
  chat: ChatApp | null;
}

const readJson = (file: string): any => {
  try {
    return JSON.parse(fs.readFileSync(file, 'utf8'));
  } catch {
    return null;
  }
};

function portOf(url: unknown): { host: string | null; port: number | null } {
  try {
    const u = new URL(String(url));
    return { host: u.hostname, port: u.port ? Number(u.port) : u.protocol === 'https:' ? 443 : 80 };
  } catch {
    return { host: null, port: null };
  }
}

function findChatApp(dir: string, envPath: string): ChatApp | null {
  const candidates = [dir, ...safeReaddir(dir).map((d) => path.join(dir, d)).filter((d) => isDir(d) && !path.basename(d).startsWith('.') && path.basename(d) !== 'node_modules')];
  for (const candidate of candidates) {
    const configFile = path.join(candidate, 'config.json');
    const json = readJson(configFile);
    if (!json || typeof json !== 'object' || !json.backend || typeof json.backend.active !== 'string') continue;
    const entry = ['app.py', 'main.py', 'server.py'].find((f) => fs.existsSync(path.join(candidate, f))) ?? null;
    const ollama = portOf(json.ollama?.base_url);
    return {
      dir: candidate,
      configFile,
      entry,
      port: Number.isInteger(json.server?.port) ? json.server.port : null,
      active: json.backend.active,
      ollamaPort: ollama.port,
      ollamaHost: ollama.host,
      hasLlamacpp: 'llamacpp' in json || json.backend.active === 'llamacpp',
      llamacppModelPath: typeof json.llamacpp?.model_path === 'string' ? json.llamacpp.model_path : null,
      hasOllama: 'ollama' in json || json.backend.active === 'ollama',
      ollamaBaseUrl: typeof json.ollama?.base_url === 'string' ? json.ollama.base_url : null,
      python: pythonCommandFor(candidate, entry ?? 'app.py', resolveBinary('uv', candidate, envPath) !== null),
    };
  }
  return null;
}

const safeReaddir = (dir: string) => {
  try {
    return fs.readdirSync(dir).sort();
  } catch {
    return [];
  }
};
const isDir = (p: string) => {
  try {
    return fs.statSync(p).isDirectory();
  } catch {
    return false;
  }
};

/** Looks around `dir`: each kind's program on PATH, ./models/*.gguf, a Chat-O-Llama config.json. */
export function detect(dir: string, envPath = process.env.PATH ?? ''): Detected {
  const models = safeReaddir(path.join(dir, 'models'))
    .filter((f) => f.toLowerCase().endsWith('.gguf'))
    .map((f) => path.join(dir, 'models', f));
  const binaries: Record<string, string | null> = {};
  for (const [kind, preset] of Object.entries(KIND_PRESETS) as Array<[string, KindPreset]>)
    if (preset.init) binaries[kind] = resolveBinary(preset.init.binary, dir, envPath);
  return { dir, binaries, models, chat: findChatApp(dir, envPath) };
}
