import type { KindPreset } from './kind.js';
import { appKind } from './app.js';

export const processKind: KindPreset = {
  validate: (raw) => (raw.command ? [] : [{ key: 'command', message: 'a process needs a command, e.g. command: [node, worker.js]' }]),
  argv: ({ commandWords, args }) => [...commandWords!, ...args],
  env: () => ({}),
  health: (raw) => (raw.health ? appKind.health(raw) : { type: 'alive', afterMs: raw.readyAfter ?? 1000 }),
};
