import { useEffect, useReducer, useRef } from 'react';
import type { DaemonApi } from '../../protocol/daemon-api.js';
import type { ServiceStatus } from '../../protocol/messages.js';
import { listEntries } from '../components/ServiceList.js';
import { computeLayout, type Layout } from '../layout.js';
import { paneRows, type RegionSink } from '../log-region.js';
import { selectedService, type UiState } from '../state.js';
import { useLogTail } from './use-log-tail.js';
import { serveLogPane } from '../serve-pane.js';

export interface LogPanes {
  layout: Layout;
  /** The services whose logs are shown, the selected one first. */
  panes: ServiceStatus[];
  tails: React.RefObject<Record<string, string[]>>;
  /** The first pane's lines as they are now (read when a key is pressed: lines arrive between renders). */
  lines0(): string[];
  /** Content rows of the first pane. */
  paneHeight: number;
  /** How far up the first pane can scroll now. */
  maxScroll(): number;
}

export interface LogPanesOptions {
  api: React.RefObject<DaemonApi | null>;
  state: UiState;
  stateRef: React.RefObject<UiState>;
  columns: number;
  rows: number;
  color: boolean;
  logPollMs: number;
  /** Where log lines are drawn without Ink (the real terminal); without it, Ink draws them (tests). */
  regions?: RegionSink;
}

/** Where the log panes are, what they show, and the lines asked of the daemon for them. */
export function useLogPanes({ api, state, stateRef, columns, rows, color, logPollMs, regions }: LogPanesOptions): LogPanes {
  // Several hosts: each group has a title row in the list.
  const layout = computeLayout(rows, columns, state.services.length, state.view, listEntries(state.services).length);
  const selected = selectedService(state);
  const servicePanes =
    state.view === 'single' || state.services.length <= 1 ? (selected ? [selected] : []) : rotate(state.services, state.selected).slice(0, layout.paneLines.length);
  // v: the first pane shows the serve endpoint's log.
  const panes = state.serveLog ? [serveLogPane(), ...servicePanes].slice(0, Math.max(1, servicePanes.length)) : servicePanes;
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
    panes.map((svc, i) => ({
      name: svc.name,
      lines: i === 0 ? Math.max(layout.paneLines[0]! + state.scroll, state.search.query ? maxLines : 0) : layout.paneLines[i]!,
      probes: state.probes,
    })),
    logPollMs,
    // New lines: drawn straight to the screen, with no React render, unless something Ink draws depends on them
    // (the search's "match 3/17"), or there is no such screen (tests render the panes with Ink).
    () => (regions && !stateRef.current.search.query ? regions.show(showRegions.current()) : rerender()),
  );
  useEffect(() => {
    if (regions) regions.show(regionsNow());
  });
  const lines0 = () => (panes[0] ? (tails.current[panes[0].name] ?? []) : []);
  const paneHeight = layout.paneLines[0] ?? 1;
  const maxScroll = () => Math.max(0, Math.min(lines0().length, maxLines) - paneHeight);
  return { layout, panes, tails, lines0, paneHeight, maxScroll };
}

function rotate<T>(items: T[], start: number): T[] {
  return [...items.slice(start), ...items.slice(0, start)];
}
