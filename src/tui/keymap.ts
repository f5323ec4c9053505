import type { Key } from 'ink';

/** What a key of the main screen does. */
export type Command =
  | 'up' | 'down' | 'toggle-view' | 'toggle-probes' | 'toggle-serve-log' | 'page-up' | 'page-down' | 'home' | 'end' | 'follow'
  | 'search' | 'next-match' | 'prev-match' | 'clear-search'
  | 'restart' | 'start-stop' | 'force-stop' | 'backend' | 'reload' | 'help' | 'quit' | 'quit-all';

/** What a key does while the search is typed, a question is asked, the backend picker or the help is open. */
export type SearchCommand = 'search-cancel' | 'search-commit' | 'search-backspace';
export type ConfirmCommand = 'yes' | 'no';
export type PickerCommand = 'picker-up' | 'picker-down' | 'picker-choose' | 'picker-close';
export type HelpCommand = 'help-close';

export interface Binding<C extends string = Command> {
  /** As the help screen shows it; '' for a key the line above it already names (PgDn beside PgUp). */
  keys: string;
  command: C;
  help: string;
  matches: (input: string, key: Key) => boolean;
}

const ch = (c: string) => (input: string, key: Key) => input === c && !key.ctrl && !key.meta;

/** Every key of the main screen, in one table: the help overlay and the footer are drawn from these tables. */
export const BINDINGS: Binding[] = [
  { keys: '↑/k', command: 'up', help: 'previous service', matches: (i, k) => k.upArrow || ch('k')(i, k) },
  { keys: '↓/j', command: 'down', help: 'next service', matches: (i, k) => k.downArrow || ch('j')(i, k) },
  { keys: 'Tab', command: 'toggle-view', help: 'one log / all logs', matches: (_i, k) => k.tab },
  { keys: 'PgUp/PgDn', command: 'page-up', help: 'scroll (pauses follow)', matches: (_i, k) => k.pageUp },
  { keys: '', command: 'page-down', help: '', matches: (_i, k) => k.pageDown },
  { keys: 'Home/End', command: 'home', help: 'oldest / newest', matches: (_i, k) => k.home },
  { keys: '', command: 'end', help: '', matches: (_i, k) => k.end },
  { keys: 'p', command: 'toggle-probes', help: 'show/fold the probes', matches: ch('p') },
  { keys: 'v', command: 'toggle-serve-log', help: 'serve log / service log', matches: ch('v') },
  { keys: 'f', command: 'follow', help: 'follow the log', matches: ch('f') },
  { keys: '/', command: 'search', help: 'search; n/N older/newer', matches: ch('/') },
  { keys: '', command: 'next-match', help: '', matches: ch('n') },
  { keys: '', command: 'prev-match', help: '', matches: ch('N') },
  { keys: 'Esc', command: 'clear-search', help: 'clear the search', matches: (_i, k) => k.escape },
  { keys: 'r', command: 'restart', help: 'restart service', matches: ch('r') },
  { keys: 's', command: 'start-stop', help: 'start/stop service', matches: ch('s') },
  { keys: 'K', command: 'force-stop', help: 'force-stop (asks)', matches: ch('K') },
  { keys: 'b', command: 'backend', help: 'switch backend', matches: ch('b') },
  { keys: 'R', command: 'reload', help: 'reload the edited config', matches: ch('R') },
  { keys: '?', command: 'help', help: 'this help', matches: ch('?') },
  { keys: 'q/Ctrl-C', command: 'quit', help: 'quit (services stay up)', matches: (i, k) => ch('q')(i, k) || (k.ctrl && i === 'c') },
  { keys: 'Q', command: 'quit-all', help: 'stop all and quit (asks)', matches: ch('Q') },
];

/** While the search term is typed (any other printable key is part of the term). */
export const SEARCH_BINDINGS: Binding<SearchCommand>[] = [
  { keys: 'Enter', command: 'search-commit', help: 'search', matches: (_i, k) => k.return },
  { keys: 'Esc', command: 'search-cancel', help: 'cancel', matches: (_i, k) => k.escape },
  { keys: 'Backspace', command: 'search-backspace', help: 'erase', matches: (_i, k) => k.backspace || k.delete },
];

/** A question (K, Q): anything but y is no. */
export const CONFIRM_BINDINGS: Binding<ConfirmCommand>[] = [
  { keys: 'y', command: 'yes', help: 'yes', matches: (i) => i === 'y' || i === 'Y' },
  { keys: 'any other', command: 'no', help: 'no', matches: () => true },
];

/** The backend picker (b). */
export const PICKER_BINDINGS: Binding<PickerCommand>[] = [
  { keys: '↑↓', command: 'picker-up', help: 'choose', matches: (i, k) => k.upArrow || ch('k')(i, k) },
  { keys: '', command: 'picker-down', help: '', matches: (i, k) => k.downArrow || ch('j')(i, k) },
  { keys: 'Enter', command: 'picker-choose', help: 'switch', matches: (_i, k) => k.return },
  { keys: 'Esc/q', command: 'picker-close', help: 'cancel', matches: (i, k) => k.escape || ch('q')(i, k) },
];

/** The help screen: any key closes it. */
export const HELP_BINDINGS: Binding<HelpCommand>[] = [{ keys: 'any key', command: 'help-close', help: 'close this help', matches: () => true }];

/** The command a key means in a mode's table, or null. Pure. */
export function commandIn<C extends string>(table: Binding<C>[], input: string, key: Key): C | null {
  return table.find((b) => b.matches(input, key))?.command ?? null;
}

export const commandFor = (input: string, key: Key): Command | null => commandIn(BINDINGS, input, key);

/** A one-line hint for a mode's keys ("↑↓ choose · Enter switch · Esc cancel"), from its table. Pure. */
export function hintFor<C extends string>(table: Binding<C>[]): string {
  return table.filter((b) => b.keys && b.help).map((b) => `${b.keys} ${b.help}`).join(' · ');
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
