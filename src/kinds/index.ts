import { appKind } from './app.js';
import type { KindPreset, ServerKind } from './kind.js';
import { llamaServerKind } from './llama-server.js';
import { ollamaKind } from './ollama.js';
import { processKind } from './process.js';
import { vllmKind } from './vllm.js';

/** Every kind, by the name a config uses. Adding a kind: its module, and one line here. */
export const KIND_PRESETS = {
  'llama-server': llamaServerKind,
  ollama: ollamaKind,
  vllm: vllmKind,
  app: appKind,
  process: processKind,
} as const satisfies Record<string, KindPreset>;

export type Kind = keyof typeof KIND_PRESETS;

/** The kind `init` gives a chat app it finds (a web app with a command, a port and an HTTP health check). */
export const CHAT_APP_KIND: Kind = 'app';
export const KINDS = Object.keys(KIND_PRESETS) as [Kind, ...Kind[]];

/** The LLM-server side of a kind (stats, models, adoption), or undefined for apps and processes. */
export const serverKind = (kind: string): ServerKind | undefined => (KIND_PRESETS as Record<string, KindPreset>)[kind]?.server;

/** A kind's preset by a name that came over the wire (status): undefined for a name this build does not know. */
export const kindPreset = (kind: string): KindPreset | undefined => (KIND_PRESETS as Record<string, KindPreset>)[kind];

/**
 * Does a stop of a service of this kind first wait for its requests in flight (the drain)? LLM servers do: their
 * kind can count them (`requestsInFlight`). Apps and processes stop at once.
 */
export const drainsRequests = (kind: string): boolean => serverKind(kind)?.requestsInFlight !== undefined;
