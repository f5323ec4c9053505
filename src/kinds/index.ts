import type { Kind } from '../config/schema.js';
import type { KindPreset } from './kind.js';
import { llamaServerKind } from './llama-server.js';
import { ollamaKind } from './ollama.js';
import { appKind } from './app.js';
import { processKind } from './process.js';

export const KIND_PRESETS: Record<Kind, KindPreset> = {
  'llama-server': llamaServerKind,
  ollama: ollamaKind,
  app: appKind,
  process: processKind,
};
