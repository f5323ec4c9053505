import type { Key } from 'ink';
import type { UiState } from './state.js';

export type Command =
  | 'up' | 'down' | 'toggle-view' | 'page-up' | 'page-down' | 'home' | 'end' | 'follow'
  | 'search' | 'next-match' | 'prev-match'
  | 'restart' | 'start-stop' | 'force-stop' | 'backend' | 'reload' | 'help' | 'quit' | 'quit-all';

export interface Binding {
  keys: string;
  command: Command;
  help: string;
  matches: (input: string, key: Key) => boolean;
}

const ch = (c: string) => (input: string, key: Key) => input === c && !key.ctrl && !key.meta;

/** Every key of the main screen, in one table: the help overlay is rendered from it. */
export const BINDINGS: Binding[] = [
  { keys: '↑/k', command: 'up', help: 'previous service', matches: (i, k) => k.upArrow || ch('k')(i, k) },
  { keys: '↓/j', command: 'down', help: 'next service', matches: (i, k) => k.downArrow || ch('j')(i, k) },
  { keys: 'Tab', command: 'toggle-view', help: 'one log / all logs', matches: (_i, k) => k.tab },
  { keys: 'PgUp/PgDn', command: 'page-up', help: 'scroll (pauses follow)', matches: (_i, k) => k.pageUp },
  { keys: '', command: 'page-down', help: '', matches: (_i, k) => k.pageDown },
  { keys: 'Home/End', command: 'home', help: 'oldest / newest', matches: (_i, k) => k.home },
  { keys: '', command: 'end', help: '', matches: (_i, k) => k.end },
  { keys: 'f', command: 'follow', help: 'follow the log', matches: ch('f') },
  { keys: '/', command: 'search', help: 'search; n/N older/newer', matches: ch('/') },
  { keys: '', command: 'next-match', help: '', matches: ch('n') },
  { keys: '', command: 'prev-match', help: '', matches: ch('N') },
  { keys: 'r', command: 'restart', help: 'restart service', matches: ch('r') },
  { keys: 's', command: 'start-stop', help: 'start/stop service', matches: ch('s') },
  { keys: 'K', command: 'force-stop', help: 'force-stop (asks)', matches: ch('K') },
  { keys: 'b', command: 'backend', help: 'switch backend', matches: ch('b') },
  { keys: 'R', command: 'reload', help: 'reload the edited config', matches: ch('R') },
  { keys: '?', command: 'help', help: 'this help', matches: ch('?') },
  { keys: 'q/Ctrl-C', command: 'quit', help: 'quit (services stay up)', matches: (i, k) => ch('q')(i, k) || (k.ctrl && i === 'c') },
  { keys: 'Q', command: 'quit-all', help: 'stop all and quit (asks)', matches: ch('Q') },
];

export function commandFor(input: string, key: Key, _state: UiState): Command | null {
  return BINDINGS.find((b) => b.matches(input, key))?.command ?? null;
}

/** The footer's key hints, most useful first; `? help` and `q quit` always stay, at the end. */
const FOOTER: Array<[string, string]> = [
  ['↑↓', 'select'], ['r', 'restart'], ['s', 'start/stop'], ['b', 'backend'], ['/', 'search'], ['Tab', 'logs'], ['K', 'kill'], ['Q', 'stop all'],
];
const ALWAYS: Array<[string, string]> = [['?', 'help'], ['q', 'quit']];

/** As many hints as fit `width` columns, never dropping help and quit. Pure. */
export function footerHints(width: number): string {
  const join = (items: Array<[string, string]>) => items.map(([k, what]) => `${k} ${what}`).join(' · ');
  const shown: Array<[string, string]> = [];
  for (const item of FOOTER) if ([...join([...shown, item, ...ALWAYS])].length <= width) shown.push(item);
  return join([...shown, ...ALWAYS]);
}
