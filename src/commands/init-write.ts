import path from 'node:path';
import type { Detected } from './init-detect.js';

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
  } else {
    lines.push(
      `  # llama-server: ${d.llamaServer ? 'found, but no GGUF model in ./models' : 'not found on PATH'}. To add it:`,
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
  const choices: string[] = [];
  if (chat) {
    if (services.includes('ollama')) choices.push('ollama: ollama');
    if (chat.hasLlamacpp) choices.push('llamacpp: null');
    const backendService = chat.active === 'ollama' && services.includes('ollama') ? 'ollama' : null;
    lines.push(
      `  # the chat app in ${rel(d.dir, chat.dir)} (its backend is in config.json: backend.active = ${chat.active})`,
      '  chat:',
      '    kind: app',
      `    command: python3 ${chat.entry ?? 'app.py'}`,
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
      `  choices: { ${choices.join(', ')} }   # null: the app serves that backend itself`,
      '  stopOther: false         # true: stop the backend no longer used, to free VRAM',
    );
  }
  return `${lines.join('\n')}\n`;
}
