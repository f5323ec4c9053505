import { Box, Text, useApp, useInput, type Key } from 'ink';
import { useCallback, useEffect, useMemo, useReducer, useRef, useState } from 'react';
import type { DaemonApi } from '../protocol/daemon-api.js';
import { BackendPicker, type BackendChoice } from './components/BackendPicker.js';
import { ConfirmDialog } from './components/ConfirmDialog.js';
import { daemonText, Header } from './components/Header.js';
import { HelpOverlay } from './components/HelpOverlay.js';
import { LogPane } from './components/LogPane.js';
import { listEntries, serviceCells, ServiceList } from './components/ServiceList.js';
import { StatusLine } from './components/StatusLine.js';
import { createActions } from './hooks/use-actions.js';
import { useDaemon } from './hooks/use-daemon.js';
import { useLogTail } from './hooks/use-log-tail.js';
import { useTerminalSize } from './hooks/use-terminal-size.js';
import { commandFor, type Command } from './keymap.js';
import { computeLayout } from './layout.js';
import { matchPosition, scrollToMatch } from './log-view.js';
import { paneRows, type RegionSink } from './log-region.js';
import { sparkline } from './sparkline.js';
import { initialUiState, selectedService, uiReducer, type UiAction, type UiState } from './state.js';
import { formatBytes } from '../config/durations.js';

/** What the list, the sparkline and the header show of `state`, as text: equal texts draw equal screens. Pure. */
export function shownText(state: UiState, now = Date.now()): string {
  const selected = selectedService(state);
  const history = selected ? state.history[selected.name] : undefined;
  return [
    daemonText(state.daemon, state.connection),
    state.daemon?.backend ?? '',
    ...state.services.map((s) => serviceCells(s, now).join('|')),
    sparkline(history?.cpu ?? [], 20),
    sparkline(history?.mem ?? [], 20),
  ].join('\n');
}

/** States whose label counts seconds. */
const TICKING = new Set(['starting', 'stopping', 'crashed']);

/** The chat app's backend, as the picker needs it (see src/backend/). */
export interface BackendControl {
  choices(api: DaemonApi): Promise<BackendChoice[]>;
  switchTo(api: DaemonApi, name: string): Promise<string>;
}

export interface AppProps {
  name: string;
  connect: () => Promise<DaemonApi>;
  /** Services to start when the TUI first connects (autostart ones). */
  autostart: string[];
  backend?: BackendControl;
  /** R: re-read the config file and apply it (the daemon restarts only what changed); resolves to a summary. */
  reload?: (api: DaemonApi) => Promise<string>;
  color?: boolean;
  size?: { columns: number; rows: number };
  /** Called with true when the user chose to stop everything (Q), false for q. */
  onExit?: (stoppedAll: boolean) => void;
  logPollMs?: number;
  /** How long a success message stays in the status line. */
  toastMs?: number;
  /** What the status line says when the connection drops (a local daemon is restarted; a remote link re-dialled). */
  lostText?: string;
  /** Where log lines are drawn without Ink (the real terminal); without it, Ink draws them (tests). */
  regions?: RegionSink;
}

export function App({ name, connect, autostart, backend, reload, color = true, size, onExit, logPollMs = 100, toastMs = 8000, lostText, regions }: AppProps) {
  const [state, setState] = useState(initialUiState);
  // Key handlers read and advance this copy, so several keys arriving in one read each see the previous one's effect.
  const stateRef = useRef(state);
  stateRef.current = state;
  const dispatch = useCallback((action: UiAction) => {
    const previous = stateRef.current;
    stateRef.current = uiReducer(previous, action);
    // The daemon's figures come every 2 s: draw only when something shown changed (an idle screen is not redrawn).
    if ((action.type === 'status' || action.type === 'daemon') && shownText(previous) === shownText(stateRef.current)) return;
    setState(stateRef.current);
  }, []);
  const app = useApp();
  const terminal = useTerminalSize();
  const { columns, rows } = size ?? terminal;
  const [, setNow] = useState(Date.now());
  const now = Date.now();
  const api = useDaemon({
    connect,
    dispatch,
    lostText,
    onFirstConnect: (a) => {
      if (autostart.length) void a.start(autostart, false).catch(() => undefined);
    },
  });
  const actions = useMemo(() => createActions(api, dispatch), [api]);
  // The clock redraws only what counts seconds (a start, a stop, a retry countdown); uptimes and the rest change with
  // the daemon's figures every 2 s. An idle screen is not redrawn every second for nothing.
  useEffect(() => {
    const timer = setInterval(() => {
      if (stateRef.current.services.some((s) => TICKING.has(s.state))) setNow(Date.now());
    }, 1000);
    return () => clearInterval(timer);
  }, []);
  // Successes fade back to the key hints after a while; progress and errors stay until the next message.
  useEffect(() => {
    const toast = state.toast;
    if (toast?.level !== 'ok') return;
    const timer = setTimeout(() => {
      if (stateRef.current.toast === toast) dispatch({ type: 'toast', toast: null });
    }, toastMs);
    return () => clearTimeout(timer);
  }, [state.toast]);

  // Several hosts: each group has a title row in the list.
  const listLength = listEntries(state.services).length;
  const layout = computeLayout(rows, columns, state.services.length, state.view, listLength);
  const selected = selectedService(state);
  const panes = state.view === 'single' || state.services.length <= 1
    ? (selected ? [selected] : [])
    : rotate(state.services, state.selected).slice(0, layout.paneLines.length);
  const maxLines = (layout.paneLines[0] ?? 10) * 20; // how far back PgUp can reach
  // Where each pane's lines go on the screen (none while an overlay covers the panes).
  const regionsNow = () =>
    state.overlay
      ? []
      : panes.map((svc, i) => ({
          top: layout.paneTops[i]!,
          rows: paneRows(tails.current[svc.name] ?? [], { height: layout.paneLines[i] ?? 1, width: columns, scroll: i === 0 ? state.scroll : 0, query: state.search.query, color }),
        }));
  const showRegions = useRef(regionsNow);
  showRegions.current = regionsNow;
  const [, rerender] = useReducer((n: number) => n + 1, 0);
  const tails = useLogTail(
    api,
    panes.map((svc, i) => ({ name: svc.name, lines: i === 0 ? Math.max(layout.paneLines[0]! + state.scroll, state.search.query ? maxLines : 0) : layout.paneLines[i]! })),
    logPollMs,
    // New lines: drawn straight to the screen, with no React render, unless something Ink draws depends on them
    // (the search's "match 3/17"), or there is no such screen (tests render the panes with Ink).
    () => (regions && !stateRef.current.search.query ? regions.show(showRegions.current()) : rerender()),
  );
  useEffect(() => {
    if (regions) regions.show(regionsNow());
  });
  const quit = (stoppedAll: boolean) => {
    onExit?.(stoppedAll);
    app.exit();
  };

  useInput((input: string, key: Key) => {
    // Keys typed quickly (or over a slow link) can arrive in one read: handle them one by one.
    if (input.length > 1 && !input.startsWith('\x1b') && !stateRef.current.search.editing) {
      for (const c of input) onKey(c, { ...key, tab: c === '\t', return: c === '\r' });
      return;
    }
    onKey(input, key);
  });

  function onKey(input: string, key: Key) {
    const state = stateRef.current;
    const overlay = state.overlay;
    if (overlay?.type === 'confirm') {
      const yes = input === 'y' || input === 'Y';
      dispatch({ type: 'overlay', overlay: null });
      if (!yes) return dispatch({ type: 'toast', toast: { level: 'info', text: 'cancelled' } });
      if (overlay.action === 'kill' && overlay.service) void actions.stop(overlay.service, true);
      if (overlay.action === 'quit-all') void actions.stopAll().then(() => quit(true));
      return;
    }
    if (overlay?.type === 'help') return dispatch({ type: 'overlay', overlay: null });
    if (overlay?.type === 'backend') return onPickerKey(input, key, overlay.index, overlay.choices ?? []);
    if (state.search.editing) {
      if (key.escape) return dispatch({ type: 'search-cancel' });
      if (key.return) {
        dispatch({ type: 'search-commit' });
        return jumpToMatch(-1, true);
      }
      if (key.backspace || key.delete) return dispatch({ type: 'search-backspace' });
      if (input && !key.ctrl && !key.meta) dispatch({ type: 'search-input', text: input });
      return;
    }
    if (key.escape && state.search.query) return dispatch({ type: 'search-cancel' });
    const command = commandFor(input, key, state);
    if (command) run(command);
  }

  // Read when a key is pressed: the lines arrive between renders.
  const lines0 = () => (panes[0] ? (tails.current[panes[0].name] ?? []) : []);
  const paneHeight = layout.paneLines[0] ?? 1;
  const maxScroll = () => Math.max(0, Math.min(lines0().length, maxLines) - paneHeight);
  function jumpToMatch(direction: 1 | -1, inclusive = false) {
    const state = stateRef.current;
    const to = scrollToMatch(lines0(), state.search.query, state.scroll, paneHeight, direction, inclusive);
    if (to === null) dispatch({ type: 'toast', toast: { level: 'info', text: `no ${direction === 1 ? 'newer' : 'older'} match for "${state.search.query}"` } });
    else dispatch({ type: 'scroll', by: to - state.scroll, maxScroll: Math.max(maxScroll(), to) });
  }

  function run(command: Command) {
    const state = stateRef.current;
    const svc = selectedService(state);
    switch (command) {
      case 'up': return dispatch({ type: 'select', delta: -1 });
      case 'down': return dispatch({ type: 'select', delta: 1 });
      case 'toggle-view': return dispatch({ type: 'toggle-view' });
      case 'page-up': return dispatch({ type: 'scroll', by: paneHeight - 1, maxScroll: maxScroll() });
      case 'page-down': return dispatch({ type: 'scroll', by: -(paneHeight - 1), maxScroll: maxScroll() });
      case 'home': return dispatch({ type: 'scroll-to', to: 'top', maxScroll: maxScroll() });
      case 'end':
      case 'follow': return dispatch({ type: 'follow' });
      case 'search': return dispatch({ type: 'search-start' });
      case 'next-match': return jumpToMatch(-1);
      case 'prev-match': return jumpToMatch(1);
      case 'help': return dispatch({ type: 'overlay', overlay: { type: 'help' } });
      case 'quit': return quit(false);
      case 'quit-all': return dispatch({ type: 'overlay', overlay: { type: 'confirm', action: 'quit-all', service: null } });
      case 'reload':
        if (!reload) return dispatch({ type: 'toast', toast: { level: 'error', text: 'reload is not available here' } });
        if (!api.current) return dispatch({ type: 'toast', toast: { level: 'error', text: 'not connected to the daemon: try again once it is back' } });
        dispatch({ type: 'toast', toast: { level: 'info', text: 'reloading the config…' } });
        void reload(api.current).then(
          (text) => dispatch({ type: 'toast', toast: { level: 'ok', text } }),
          (error) => dispatch({ type: 'toast', toast: { level: 'error', text: error instanceof Error ? error.message : String(error) } }),
        );
        return;
      case 'backend': {
        const daemon = api.current;
        dispatch({ type: 'overlay', overlay: { type: 'backend', index: 0, choices: backend && daemon ? null : [] } });
        if (!daemon) return;
        void backend
          ?.choices(daemon)
          .then((choices) => dispatch({ type: 'backend-choices', choices }))
          .catch((error) => dispatch({ type: 'toast', toast: { level: 'error', text: error instanceof Error ? error.message : String(error) } }));
        return;
      }
    }
    if (!svc) return dispatch({ type: 'toast', toast: { level: 'error', text: 'no service selected' } });
    if (command === 'restart') return void actions.restart(svc.name);
    if (command === 'force-stop') return dispatch({ type: 'overlay', overlay: { type: 'confirm', action: 'kill', service: svc.name } });
    if (command === 'start-stop') {
      const running = ['starting', 'ready', 'unhealthy', 'stopping'].includes(svc.state);
      return void (running ? actions.stop(svc.name, false) : actions.start(svc.name));
    }
  }

  function onPickerKey(input: string, key: Key, index: number, choices: BackendChoice[]) {
    if (key.escape || input === 'q') return dispatch({ type: 'overlay', overlay: null });
    if (key.upArrow || input === 'k') return dispatch({ type: 'picker-move', delta: -1 });
    if (key.downArrow || input === 'j') return dispatch({ type: 'picker-move', delta: 1 });
    if (key.return && backend && api.current && choices[index]) {
      const target = choices[index]!.name;
      dispatch({ type: 'overlay', overlay: null });
      dispatch({ type: 'toast', toast: { level: 'info', text: `switching the backend to ${target}…` } });
      const daemon = api.current;
      void backend.switchTo(daemon, target).then(
        (text) => {
          dispatch({ type: 'toast', toast: { level: 'ok', text } });
          void daemon.daemonInfo().then((info) => dispatch({ type: 'daemon', daemon: info }), () => undefined); // the header's backend, now
        },
        (error) => dispatch({ type: 'toast', toast: { level: 'error', text: error instanceof Error ? error.message : String(error) } }),
      );
    }
  }

  const history = selected ? state.history[selected.name] : undefined;
  return (
    <Box flexDirection="column" width={columns} height={rows}>
      <Header name={name} daemon={state.daemon} connection={state.connection} backend={state.daemon?.backend ?? null} />
      <ServiceList services={state.services} selected={state.selected} maxRows={layout.listRows - 1} now={now} color={color} width={columns} />
      {layout.sparkline && selected ? (
        <Text dimColor wrap="truncate-end">
          {`   ${selected.name} cpu ${sparkline(history?.cpu ?? [], 20).padEnd(20)} ${(selected.cpuPercent ?? 0).toFixed(0)}%  mem ${sparkline(history?.mem ?? [], 20).padEnd(20)} ${formatBytes(selected.memoryBytes ?? 0)}`}
        </Text>
      ) : null}
      {state.overlay ? (
        <Box flexGrow={1} flexDirection="column">
          {state.overlay.type === 'help' ? <HelpOverlay width={columns} /> : null}
          {state.overlay.type === 'confirm' ? (
            <ConfirmDialog question={state.overlay.action === 'kill' ? `Force-stop ${state.overlay.service} (SIGKILL its whole process tree)?` : 'Stop every service and quit?'} />
          ) : null}
          {state.overlay.type === 'backend' ? (
            state.overlay.choices ? <BackendPicker choices={state.overlay.choices} index={state.overlay.index} width={columns} /> : <Text>checking the backends…</Text>
          ) : null}
        </Box>
      ) : (
        <Box flexGrow={1} flexDirection="column">
          {panes.map((svc, i) => (
            <LogPane
              key={svc.name}
              title={`${svc.name}${svc.logDir ? '' : ' (no log yet)'}`}
              lines={regions ? null : (tails.current[svc.name] ?? [])}
              height={layout.paneLines[i] ?? 1}
              scroll={i === 0 ? state.scroll : 0}
              query={state.search.query}
              focused={i === 0}
              color={color}
            />
          ))}
        </Box>
      )}
      <StatusLine toast={state.toast} search={state.search} match={matchPosition(lines0(), state.search.query, state.scroll)} color={color} width={columns} />
    </Box>
  );
}

function rotate<T>(items: T[], start: number): T[] {
  return [...items.slice(start), ...items.slice(0, start)];
}

export type { UiState };
