import type { KindPreset } from './kind.js';

export const llamaServerKind: KindPreset = {
  defaultPort: 8080,
  validate(raw) {
    return raw.model ? [] : [{ key: 'model', message: 'llama-server needs a model: set model: ./models/your-model.gguf' }];
  },
  argv({ commandWords, raw, host, port, args }) {
    const binary = commandWords ?? ['llama-server'];
    return [...binary, '-m', raw.model!, '--host', host, '--port', String(port), '--metrics', ...args];
  },
  env: () => ({}),
  health: (raw) => (raw.health?.command ? commandHealth(raw.health.command) : { type: 'http', path: raw.health?.http ?? '/health', expect: 'llama-server' }),
};

export function commandHealth(command: string | string[]) {
  return { type: 'command' as const, argv: typeof command === 'string' ? command.split(/\s+/).filter(Boolean) : command };
}
