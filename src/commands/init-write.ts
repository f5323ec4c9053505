import path from 'node:path';
import type { ChatApp, Detected } from './init-detect.js';

const rel = (dir: string, file: string) => {
  const r = path.relative(dir, file);
  return r.startsWith('..') || path.isAbsolute(r) ? file : `./${r}`;
};

/** The commented llama-top.yaml for what `detect` found. Pure. */
export function renderInitConfig(d: Detected, now = new Date()): string {
  const lines: string[] = [
    `# llama-top.yaml, written by \`llama-top init\` on ${now.toISOString().slice(0, 10)} from what it found in ${d.dir}.`,
    '# Start the stack: llama-top start · watch it: llama-top · reference: the README (Config).',
    `name: ${path.basename(d.dir).replace(/[^A-Za-z0-9._-]/g, '-') || 'stack'}`,
    'restart: { maxRetries: 5, backoff: 1s, maxBackoff: 16s, resetAfter: 60s }',
    'services:',
  ];
  const services: string[] = [];
  const model = d.proxy?.model ? path.resolve(d.dir, d.proxy.model) : d.models[0];
  if (d.llamaServer && model) {
    services.push('llama');
    lines.push(
      `  # llama-server found at ${d.llamaServer}${d.models.length > 1 ? `; other models in ./models: ${d.models.slice(1).map((m) => path.basename(m)).join(', ')}` : ''}`,
      '  llama:',
      '    kind: llama-server',
      `    model: ${rel(d.dir, model)}`,
      `    host: ${d.proxy?.host ?? '127.0.0.1'}`,
      `    port: ${d.proxy?.port ?? 8080}${d.proxy?.port ? '            # from .llama-proxy-config.json' : ''}`,
      '    # args: [-c, "4096", -ngl, "99"]   # appended to llama-server -m MODEL --host --port --metrics',
      '    startTimeout: 120s       # big models load slowly',
    );
  } else if (d.llamaServer) {
    // Found without a model: write the service anyway, so the config works once the model is there.
    services.push('llama');
    lines.push(
      `  # llama-server found at ${d.llamaServer}, but no GGUF model in ./models: put one there and set model: below`,
      '  llama:',
      '    kind: llama-server',
      '    model: ./models/your-model.gguf   # TODO: no GGUF model found (llama-top start names the missing file)',
      '    port: 8080',
      '    startTimeout: 120s',
    );
  } else {
    lines.push(
      '  # llama-server: not found on PATH. To add it:',
      '  # llama:',
      '  #   kind: llama-server',
      '  #   model: ./models/your-model.gguf',
      '  #   port: 8080',
    );
  }
  const ollamaPort = d.chat?.ollamaPort ?? 11434;
  if (d.ollama) {
    services.push('ollama');
    lines.push(`  # ollama found at ${d.ollama}`, '  ollama:', '    kind: ollama', `    port: ${ollamaPort}`);
  } else lines.push('  # ollama: not found on PATH. To add it:', '  # ollama:', '  #   kind: ollama', `  #   port: ${ollamaPort}`);
  const chat = d.chat;
  if (chat) {
    const backendService = chat.active === 'ollama' && services.includes('ollama') ? 'ollama' : null;
    lines.push(
      `  # the chat app in ${rel(d.dir, chat.dir)} (its backend is in config.json: backend.active = ${chat.active})`,
      '  chat:',
      '    kind: app',
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
      ...backendChoices(chat, services).map((c) => `    ${c.name}: ${c.service ?? 'null'}${c.comment ? `   # ${c.comment}` : ''}`),
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
  return `${lines.join('\n')}\n`;
}

/**
 * The chat app's backends: every one its config names, the active one always (or the user could switch away and
 * never back). ollama maps to the ollama service when there is one; the rest the app serves itself. Pure.
 */
export function backendChoices(chat: ChatApp, services: string[]): Array<{ name: string; service: string | null; comment: string | null }> {
  const names = new Set<string>([...(chat.active ? [chat.active] : []), ...(chat.hasOllama ? ['ollama'] : []), ...(chat.hasLlamacpp ? ['llamacpp'] : [])]);
  return [...names].map((name) => {
    if (name === 'ollama' && services.includes('ollama')) return { name, service: 'ollama', comment: null };
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
