import { Box, Text, useApp } from 'ink';
import { useMemo, useRef } from 'react';
import type { DaemonApi } from '../protocol/daemon-api.js';
import { formatBytes } from '../config/durations.js';
import { Header } from './components/Header.js';
import { LogPane } from './components/LogPane.js';
import { Overlays } from './components/Overlays.js';
import { ServiceList } from './components/ServiceList.js';
import { StatusLine } from './components/StatusLine.js';
import { createActions } from './hooks/use-actions.js';
import { backendPicker, type BackendControl } from './hooks/use-backend-picker.js';
import { useDaemon } from './hooks/use-daemon.js';
import type { KeyRouter } from './hooks/use-keys.js';
import { useLogPanes } from './hooks/use-log-panes.js';
import { useMainKeys } from './hooks/use-main-keys.js';
import { useTerminalSize } from './hooks/use-terminal-size.js';
import { useTickingClock, useToastFade } from './hooks/use-timers.js';
import { useUiState } from './hooks/use-ui-state.js';
import type { RegionSink } from './log-region.js';
import { matchPosition } from './log-view.js';
import { paneTitle } from './pane-title.js';
import { sparkline } from './sparkline.js';
import { modeOf, selectedService, type UiState } from './state.js';

export { shownText } from './shown-text.js';

/** Services that keep running after q (ours: an external server was never ours to keep). */
const RUNNING = new Set(['starting', 'ready', 'unhealthy', 'draining', 'stopping']);
export type { BackendControl };

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
  /** Called with true when the user chose to stop everything (Q), false for q; with the services still running. */
  onExit?: (stoppedAll: boolean, running: string[]) => void;
  logPollMs?: number;
  /** How long a success message stays in the status line. */
  toastMs?: number;
  /** What the status line says when the connection drops (a local daemon is restarted; a remote link re-dialled). */
  lostText?: string;
  /** `--remote HOST`: the header names the host, and a dropped link is called one. */
  remote?: string | null;
  /** Where log lines are drawn without Ink (the real terminal); without it, Ink draws them (tests). */
  regions?: RegionSink;
}

/** The whole screen: header, service list, sparkline, log panes (or an overlay), status line. */
export function App({ name, connect, autostart, backend, reload, color = true, size, onExit, logPollMs = 100, toastMs = 8000, lostText, remote = null, regions }: AppProps) {
  const { state, stateRef, dispatch } = useUiState();
  const app = useApp();
  const terminal = useTerminalSize();
  const { columns, rows } = size ?? terminal;
  const now = useTickingClock(stateRef);
  useToastFade(stateRef, dispatch, toastMs);
  const api = useDaemon({
    connect,
    dispatch,
    lostText,
    onFirstConnect: (a) => {
      if (autostart.length) void a.start(autostart, false).catch(() => undefined);
    },
  });
  const actions = useMemo(() => createActions(api, dispatch), [api]);
  const picker = useMemo(() => backendPicker(api, backend, stateRef, dispatch), [api, backend]);
  const keys = useRef<KeyRouter>({ mode: () => modeOf(stateRef.current), carry: { rest: [] } }).current;
  const panes = useLogPanes({ api, state, stateRef, columns, rows, color, logPollMs, regions });
  const quit = (stoppedAll: boolean) => {
    onExit?.(stoppedAll, stateRef.current.services.filter((s) => RUNNING.has(s.state)).map((s) => s.name));
    app.exit();
  };
  useMainKeys({ keys, stateRef, dispatch, api, actions, panes, reload, openPicker: picker.open, quit });

  const selected = selectedService(state);
  return (
    <Box flexDirection="column" width={columns} height={rows}>
      <Header name={name} daemon={state.daemon} connection={state.connection} backend={state.daemon?.backend ?? null} remote={remote} width={columns} />
      <ServiceList services={state.services} selected={state.selected} maxRows={panes.layout.listRows - 1} now={now} color={color} width={columns} />
      {panes.layout.sparkline && selected ? <Sparkline state={state} /> : null}
      {state.overlay ? (
        <Box flexGrow={1} flexDirection="column">
          <Overlays overlay={state.overlay} width={columns} keys={keys} dispatch={dispatch} actions={actions} onPicker={picker.onCommand} quit={quit} />
        </Box>
      ) : (
        <Box flexGrow={1} flexDirection="column">
          {panes.panes.map((svc, i) => (
            <LogPane
              key={svc.name}
              title={paneTitle(svc, state.probes)}
              lines={regions ? null : (panes.tails.current[svc.name] ?? [])}
              height={panes.layout.paneLines[i] ?? 1}
              scroll={i === 0 ? state.scroll : 0}
              query={state.search.query}
              focused={i === 0}
              color={color}
            />
          ))}
        </Box>
      )}
      <StatusLine toast={state.toast} search={state.search} match={matchPosition(panes.lines0(), state.search.query, state.scroll)} color={color} width={columns} />
    </Box>
  );
}

/** The selected service's CPU and memory over the last two minutes. */
function Sparkline({ state }: { state: UiState }) {
  const selected = selectedService(state)!;
  const history = state.history[selected.name];
  return (
    <Text dimColor wrap="truncate-end">
      {`   ${selected.name} cpu ${sparkline(history?.cpu ?? [], 20).padEnd(20)} ${(selected.cpuPercent ?? 0).toFixed(0)}%  mem ${sparkline(history?.mem ?? [], 20).padEnd(20)} ${formatBytes(selected.memoryBytes ?? 0)}`}
    </Text>
  );
}

export type { UiState };
