import path from 'node:path';
import { configRelative as rel } from '../config/relative-path.js';
import { CHAT_APP_KIND, KIND_PRESETS } from '../kinds/index.js';
import type { KindPreset } from '../kinds/kind.js';
import { ollamaKind } from '../kinds/ollama.js';
import type { ChatApp, Detected } from './init-detect.js';
import { bridgeNote, bridgeServeYaml, nameBridgedModel, ollamaBridgeFor, type OllamaBridge } from './init-ollama-bridge.js';
import { llamaServerKind } from '../kinds/llama-server.js';
import { SERVE_PORT } from './init-serve-port.js';

/** The kinds `init` writes services for, in registry order. */
const initKinds = () => (Object.entries(KIND_PRESETS) as Array<[string, KindPreset]>).filter(([, p]) => p.init).map(([kind, preset]) => ({ kind, preset }));

/**
 * The commented llama-top.yaml for what `detect` found, and what each kind says to the user about what it found
 * (or did not). Pure apart from the kinds' own files (.llama-proxy-config.json).
 */
export function renderInitConfig(d: Detected, now = new Date(), servePort = SERVE_PORT): { text: string; notes: string[] } {
  const serve = serveBlock(servePort);
  const lines: string[] = [
    `# llama-top.yaml, written by \`llama-top init\` on ${now.toISOString().slice(0, 10)} from what it found in ${d.dir}.`,
    '# Start the stack: llama-top start · watch it: llama-top · reference: the README (Config).',
    `name: ${path.basename(d.dir).replace(/[^A-Za-z0-9._-]/g, '-') || 'stack'}`,
    'restart: { maxRetries: 5, backoff: 1s, maxBackoff: 16s, resetAfter: 60s }',
    ...serve,
    'services:',
  ];
  // Each kind init looks for writes its own service (or a commented example).
  const services: string[] = [];
  const notes: string[] = [];
  for (const { kind, preset } of initKinds()) {
    const out = preset.init!.render({ dir: d.dir, binary: d.binaries[kind] ?? null, models: d.models, chat: d.chat });
    if (out.written) services.push(preset.init!.service);
    if (out.note) notes.push(out.note);
    lines.push(...out.yaml);
  }
  const chat = d.chat;
  const bridge = ollamaBridgeFor(chat, services, llamaServerKind.init!.service, ollamaKind.init!.service);
  // With the bridge the app needs no change: the endpoint listens where it already looks for ollama.
  if (chat?.ollamaBaseUrl && !bridge) notes.push(pointChatAt(chat, servePort));
  if (chat) {
    const backendService = backendChoices(chat, services, bridge).find((c) => c.name === chat.active)?.service ?? null;
    lines.push(
      `  # the chat app in ${rel(d.dir, chat.dir)} (its backend is in config.json: backend.active = ${chat.active})`,
      '  chat:',
      `    kind: ${CHAT_APP_KIND}`,
      `    # ${chat.python.why}`,
      `    command: ${JSON.stringify(chat.python.argv)}`,
      `    cwd: ${rel(d.dir, chat.dir)}`,
      `    env: { CONFIG_FILE: ${path.basename(chat.configFile)} }`,
      ...(chat.port ? [`    port: ${chat.port}`, '    health: { http: / }'] : ['    # port: 3113             # set it to get an HTTP health check']),
      ...(backendService ? [`    dependsOn: [${backendService}]`] : []),
    );
    lines.push(
      '# Switch the chat app between backends: llama-top backend switch NAME (or b in the TUI).',
      'backend:',
      '  app: chat',
      `  file: ${rel(d.dir, chat.configFile)}`,
      '  key: backend.active',
      '  choices:                 # NAME: the service serving it, or null: the app serves it itself',
      ...backendChoices(chat, services, bridge).map((c) => `    ${c.name}: ${c.service ?? 'null'}${c.comment ? `   # ${c.comment}` : ''}`),
    );
    if (chat.hasLlamacpp) {
      const python = chat.python.argv.slice(0, -1);
      lines.push(
        '  health:                  # how to check a backend the app serves itself',
        "    # as Chat-O-Llama's chat-manager.sh checks it: llama-cpp-python imports, and llamacpp.model_path has a GGUF",
        `    llamacpp: { command: ${JSON.stringify([...python, '-c', llamacppCheck(chat.llamacppModelPath ?? './llama_models')])} }`,
      );
    }
    lines.push('  stopOther: false         # true: stop the backend no longer used, to free VRAM');
  }
  if (bridge) {
    // The live serve: block takes the place of the commented one.
    lines.splice(lines.indexOf(serve[0]!), serve.length, ...bridgeServeYaml(bridge));
    notes.push(bridgeNote(bridge));
  }
  return { text: `${(bridge ? nameBridgedModel(lines, bridge) : lines).join('\n')}\n`, notes };
}

/** The commented `serve:` block: what it does and how to turn it on (listening on `port`). */
export const serveBlock = (port: number): string[] => [
  '# Serve the models on demand: uncomment serve: for one OpenAI-compatible endpoint (and ollama\'s /api/*) that',
  '# routes by the request\'s "model", starts that model\'s server on its first request, runs one service of a',
  '# group at a time and stops an idle one. On an LLM service: models: [alpha] (the names clients send),',
  '# group: gpu0, idleStop: 10m, autostart: false. README: "Serving models on demand".',
  '# serve:',
  '#   listen: 127.0.0.1:' + port,
  '#   apiKeys: [sk-change-me]   # optional: asked as Authorization: Bearer KEY',
];
export const SERVE_BLOCK = serveBlock(SERVE_PORT);

/** How to point the chat app found at the endpoint (its ollama or OpenAI base URL). Pure. */
export function pointChatAt(chat: ChatApp, port = SERVE_PORT): string {
  const file = path.basename(chat.configFile);
  return `chat: to send its requests through llama-top's endpoint (once serve: is on), set ollama.base_url in ${file} to http://127.0.0.1:${port} (now ${chat.ollamaBaseUrl}); an OpenAI client takes http://127.0.0.1:${port}/v1 as its base URL`;
}

/**
 * The chat app's backends: every one its config names, the active one always (or the user could switch away and
 * never back). ollama maps to the ollama service when there is one; the rest the app serves itself. Pure.
 */
export function backendChoices(chat: ChatApp, services: string[], bridge: OllamaBridge | null = null): Array<{ name: string; service: string | null; comment: string | null }> {
  // Chat-O-Llama's backend names: "ollama" (an ollama server, ours when init wrote its service) and "llamacpp".
  const names = new Set<string>([...(chat.active ? [chat.active] : []), ...(chat.hasOllama ? ['ollama'] : []), ...(chat.hasLlamacpp ? ['llamacpp'] : [])]);
  const ollamaService = ollamaKind.init!.service;
  return [...names].map((name) => {
    if (name === 'ollama' && services.includes(ollamaService)) return { name, service: ollamaService, comment: null };
    if (name === 'ollama' && bridge) return { name, service: bridge.service, comment: `llama-top's endpoint at ${bridge.url} (serve: below) speaks ollama's API for ${bridge.service}'s models` };
    if (name === 'ollama') return { name, service: null, comment: `no ollama on PATH here: the app reaches ollama at ${chat.ollamaBaseUrl ?? 'its ollama.base_url'} itself` };
    if (name === 'llamacpp') return { name, service: null, comment: 'inside the app (llama-cpp-python), checked by health: below' };
    return { name, service: null, comment: 'served by the app itself' };
  });
}

/** A Python one-liner: exit 0 when llama_cpp imports and `modelPath` holds a GGUF (or is one), else say why. */
export function llamacppCheck(modelPath: string): string {
  const m = JSON.stringify(modelPath);
  return `import sys, glob, importlib.util as u; m = ${m}; sys.exit('llama-cpp-python package is required (install it into the app environment)' if u.find_spec('llama_cpp') is None else None if glob.glob(m + '/*.gguf') or (m.endswith('.gguf') and glob.glob(m)) else 'no GGUF model in ' + m + ' (llamacpp.model_path)')`;
}
