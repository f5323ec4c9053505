import type { Key } from 'ink';
import type { DaemonApi } from '../../protocol/daemon-api.js';
import { errorMessage } from '../../protocol/errors.js';
import { commandFor, commandIn, SEARCH_BINDINGS, type Command } from '../keymap.js';
import { scrollToMatch } from '../log-view.js';
import { selectedService, type UiAction, type UiState } from '../state.js';
import type { Actions } from './use-actions.js';
import { useModeKeys, type KeyRouter } from './use-keys.js';
import type { LogPanes } from './use-log-panes.js';

export interface MainKeysOptions {
  keys: KeyRouter;
  stateRef: React.RefObject<UiState>;
  dispatch: (action: UiAction) => void;
  api: React.RefObject<DaemonApi | null>;
  actions: Actions;
  panes: LogPanes;
  /** R: re-read the config file and apply it; resolves to a summary. */
  reload?: (api: DaemonApi) => Promise<string>;
  /** b: open the backend picker. */
  openPicker: () => void;
  quit: (stoppedAll: boolean) => void;
}

const RUNNING = new Set(['starting', 'ready', 'unhealthy', 'draining', 'stopping']);

/** The main screen's keys (see BINDINGS in keymap.ts) and the search prompt's: what each command does. */
export function useMainKeys({ keys, stateRef, dispatch, api, actions, panes, reload, openPicker, quit }: MainKeysOptions): void {
  const toast = (level: 'info' | 'ok' | 'error', text: string) => dispatch({ type: 'toast', toast: { level, text } });

  function jumpToMatch(direction: 1 | -1, inclusive = false) {
    const state = stateRef.current;
    const to = scrollToMatch(panes.lines0(), state.search.query, state.scroll, panes.paneHeight, direction, inclusive);
    // Just searched: the status line says "no match" itself.
    if (to === null && !inclusive) toast('info', `no ${direction === 1 ? 'newer' : 'older'} match for "${state.search.query}"`);
    else if (to === null) return;
    else dispatch({ type: 'scroll', by: to - state.scroll, maxScroll: Math.max(panes.maxScroll(), to) });
  }

  function run(command: Command) {
    const state = stateRef.current;
    const svc = selectedService(state);
    const page = panes.paneHeight - 1;
    switch (command) {
      case 'up': return dispatch({ type: 'select', delta: -1 });
      case 'down': return dispatch({ type: 'select', delta: 1 });
      case 'toggle-view': return dispatch({ type: 'toggle-view' });
      case 'toggle-probes':
        dispatch({ type: 'toggle-probes' });
        return toast('info', stateRef.current.probes ? "showing llama-top's own requests in the logs (p folds them)" : "llama-top's own requests folded away (p shows them)");
      case 'toggle-serve-log':
        if (!state.daemon?.serve && !state.serveLog) return toast('info', 'no serve: endpoint in this config (see the README: Serving models on demand)');
        dispatch({ type: 'toggle-serve-log' });
        return toast('info', stateRef.current.serveLog ? 'the serve log: a line per request through the endpoint (v returns)' : "the selected service's log");
      case 'page-up': return dispatch({ type: 'scroll', by: page, maxScroll: panes.maxScroll() });
      case 'page-down': return dispatch({ type: 'scroll', by: -page, maxScroll: panes.maxScroll() });
      case 'home': return dispatch({ type: 'scroll-to', to: 'top', maxScroll: panes.maxScroll() });
      case 'end':
      case 'follow': return dispatch({ type: 'follow' });
      case 'search': return dispatch({ type: 'search-start' });
      case 'clear-search': return state.search.query ? dispatch({ type: 'search-cancel' }) : undefined;
      case 'next-match': return jumpToMatch(-1);
      case 'prev-match': return jumpToMatch(1);
      case 'help': return dispatch({ type: 'overlay', overlay: { type: 'help' } });
      case 'quit': return quit(false);
      case 'quit-all': return dispatch({ type: 'overlay', overlay: { type: 'confirm', action: 'quit-all', service: null } });
      case 'backend': return openPicker();
      case 'reload':
        if (!reload) return toast('error', 'reload is not available here');
        if (!api.current) return toast('error', 'not connected to the daemon: try again once it is back');
        toast('info', 'reloading the config…');
        void reload(api.current).then((text) => toast('ok', text), (error) => toast('error', errorMessage(error)));
        return;
    }
    if (!svc) return toast('error', 'no service selected');
    if (command === 'restart') return void actions.restart(svc.name);
    if (command === 'force-stop') return dispatch({ type: 'overlay', overlay: { type: 'confirm', action: 'kill', service: svc.name } });
    if (command === 'start-stop') return void (RUNNING.has(svc.state) ? actions.stop(svc.name, false) : actions.start(svc.name));
  }

  useModeKeys(keys, 'main', (input: string, key: Key) => {
    const command = commandFor(input, key);
    if (command) run(command);
  });

  // The search prompt: Enter jumps to the newest match, Esc drops the term; any other printable key is part of it.
  useModeKeys(keys, 'search', (input: string, key: Key) => {
    const command = commandIn(SEARCH_BINDINGS, input, key);
    if (command === 'search-commit') {
      dispatch({ type: 'search-commit' });
      return jumpToMatch(-1, true);
    }
    if (command) return dispatch({ type: command });
    if (input && !key.ctrl && !key.meta) dispatch({ type: 'search-input', text: input });
  });
}
