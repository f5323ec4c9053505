import type { HealthCheck } from '../protocol/stack-config.js';

/** `health: { command: ... }` of any kind: run it (a string is split on blanks), exit 0 = healthy. */
export function commandHealth(command: string | string[]): HealthCheck & { type: 'command' } {
  return { type: 'command', argv: typeof command === 'string' ? command.split(/\s+/).filter(Boolean) : command };
}
