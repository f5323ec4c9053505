import type { KindPreset } from './kind.js';
import { commandHealth } from './llama-server.js';

export const ollamaKind: KindPreset = {
  defaultPort: 11434,
  validate: () => [],
  argv: ({ commandWords, args }) => [...(commandWords ?? ['ollama']), 'serve', ...args],
  env: ({ host, port }) => ({ OLLAMA_HOST: `${host}:${port}` }),
  health: (raw) => (raw.health?.command ? commandHealth(raw.health.command) : { type: 'http', path: raw.health?.http ?? '/api/version', expect: 'ollama' }),
};
