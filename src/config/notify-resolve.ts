import { LlamaTopError } from '../protocol/errors.js';
import type { RawConfig } from './schema.js';
import { splitCommand } from './split-command.js';
import type { NotifyEntry } from './types.js';

export const DEFAULT_QUIET_MS = 5 * 60_000;
export const DEFAULT_HOOK_TIMEOUT_MS = 10_000;
export const DEFAULT_WEBHOOK_RETRIES = 3;

/** `notify:` checked against the services and resolved; errors name file:line:col. */
export function resolveNotify(raw: RawConfig['notify'], serviceNames: string[], locate: (keyPath: Array<string | number>) => string): NotifyEntry[] {
  return (raw ?? []).map((entry, i) => {
    const at = (key?: string) => `${locate(key ? ['notify', i, key] : ['notify', i])} notify.${i}${key ? `.${key}` : ''}`;
    if ((entry.command === undefined) === (entry.webhook === undefined))
      throw new LlamaTopError('CONFIG', `${at()}: give either command (run with the event as JSON on stdin) or webhook (a URL to POST it to)`);
    for (const name of entry.services ?? [])
      if (!serviceNames.includes(name)) throw new LlamaTopError('CONFIG', `${at('services')}: unknown service "${name}" (services: ${serviceNames.join(', ')})`);
    let target: NotifyEntry['target'];
    if (entry.command !== undefined) {
      if (entry.format !== undefined || entry.headers !== undefined)
        throw new LlamaTopError('CONFIG', `${at(entry.format !== undefined ? 'format' : 'headers')}: applies to a webhook only (a command gets the event as JSON on stdin)`);
      let argv: string[];
      try {
        argv = typeof entry.command === 'string' ? splitCommand(entry.command) : entry.command;
      } catch (error) {
        throw new LlamaTopError('CONFIG', `${at('command')}: ${(error as Error).message}`);
      }
      target = { type: 'command', argv };
    } else {
      try {
        new URL(entry.webhook!);
      } catch {
        throw new LlamaTopError('CONFIG', `${at('webhook')}: ${JSON.stringify(entry.webhook)} is not a URL`);
      }
      target = { type: 'webhook', url: entry.webhook!, format: entry.format ?? 'json', headers: entry.headers ?? {} };
    }
    return {
      on: [...new Set(entry.on)],
      services: entry.services ?? null,
      target,
      quietMs: entry.quiet ?? DEFAULT_QUIET_MS,
      timeoutMs: entry.timeout ?? DEFAULT_HOOK_TIMEOUT_MS,
      retries: entry.retries ?? DEFAULT_WEBHOOK_RETRIES,
    };
  });
}
