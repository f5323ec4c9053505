import type { ChatApp } from './init-detect.js';

/**
 * Chat-O-Llama's `ollama` backend talks HTTP to `ollama.base_url`; its other backend, `llamacpp`, needs
 * llama-cpp-python inside the app. On a machine with llama-server and no ollama, neither works out of the box. The
 * serve endpoint speaks ollama's API for llama-server's models, so listening where the app already looks for ollama
 * (its base_url on this machine, ollama's port 11434 by default, free since there is no ollama) makes the app's
 * ollama backend work without touching its config.json. Pure.
 */
export interface OllamaBridge {
  /** serve.listen: loopback, the port the app's ollama.base_url names. */
  listen: string;
  /** The app's ollama.base_url, as it reaches the endpoint. */
  url: string;
  /** The llama-server service whose models the app then sees. */
  service: string;
}

const LOOPBACK = new Set(['localhost', '127.0.0.1', '::1', '[::1]']);

/** The bridge init offers, or null: it needs the app's ollama backend on this machine, llama-server, and no ollama. */
export function ollamaBridgeFor(chat: ChatApp | null, services: string[], llamaService: string, ollamaService: string): OllamaBridge | null {
  if (!chat?.hasOllama || !services.includes(llamaService) || services.includes(ollamaService)) return null;
  const host = chat.ollamaHost ?? 'localhost';
  if (!LOOPBACK.has(host)) return null; // an ollama on another machine: the app's backend already has a server
  const port = chat.ollamaPort ?? 11434;
  return { listen: `${host === '::1' || host === '[::1]' ? '[::1]' : '127.0.0.1'}:${port}`, url: chat.ollamaBaseUrl ?? `http://localhost:${port}`, service: llamaService };
}

/** The `serve:` block, with the comment that says why it listens there. */
export function bridgeServeYaml(bridge: OllamaBridge): string[] {
  return [
    `# The chat app's ollama backend (config.json: ollama.base_url = ${bridge.url}) finds no ollama on this machine.`,
    "# llama-top's serve endpoint listens there instead and speaks ollama's API (/api/tags, /api/generate, /api/chat)",
    `# for ${bridge.service}'s models, starting it on demand: \`backend switch ollama\` works without ollama, and the app's`,
    '# config.json stays as it is. It also serves OpenAI clients (/v1/*). README: "Serving models on demand".',
    `serve: { listen: ${bridge.listen} }`,
  ];
}

/**
 * Gives the bridged llama-server service one model name, its file's (`qwen2.5-7b-instruct-q4_k_m`), so the app's
 * model list (ollama's /api/tags) shows one entry for it rather than the service's name and the file's both.
 * `lines` is the config being written; the service's block is found by its `  NAME:` line. Pure.
 */
export function nameBridgedModel(lines: string[], bridge: OllamaBridge): string[] {
  const start = lines.indexOf(`  ${bridge.service}:`);
  if (start === -1) return lines;
  const end = lines.findIndex((l, i) => i > start && /^ {0,2}\S/.test(l) && !l.startsWith('    '));
  const at = lines.findIndex((l, i) => i > start && (end === -1 || i < end) && /^ {4}model: /.test(l));
  const file = at === -1 ? null : /^ {4}model: (\S+\.gguf)\b/i.exec(lines[at]!)?.[1];
  if (!file || file.includes('your-model')) return lines;
  const name = file.split('/').pop()!.replace(/\.gguf$/i, '');
  return [...lines.slice(0, at + 1), `    models: [${JSON.stringify(name)}]   # the name ollama's clients (the chat app) see in /api/tags`, ...lines.slice(at + 1)];
}

/** What init tells the user about it. */
export const bridgeNote = (bridge: OllamaBridge): string =>
  `chat: no ollama here, so its ollama backend (${bridge.url}) is llama-top's endpoint (serve.listen ${bridge.listen}), which speaks ollama's API for ${bridge.service}'s models`;
