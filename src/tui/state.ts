import type { DaemonInfo, ServiceStatus, StateChangeEvent } from '../protocol/messages.js';
import type { BackendChoice } from './components/BackendPicker.js';

export type Overlay =
  | { type: 'help' }
  | { type: 'confirm'; action: 'kill' | 'quit-all'; service: string | null }
  | { type: 'backend'; index: number; choices: BackendChoice[] | null };

export interface Toast {
  text: string;
  level: 'info' | 'ok' | 'error';
}

export interface UiState {
  services: ServiceStatus[];
  selected: number;
  view: 'single' | 'stacked';
  /** Lines scrolled up from the end of the selected service's log; 0 = following. */
  scroll: number;
  search: { editing: boolean; query: string };
  /** Show llama-top's own requests (health checks, figures) in the log panes; folded away by default. */
  probes: boolean;
  /** The first log pane shows the serve endpoint's log (a line per request) instead of the selected service's. */
  serveLog?: boolean;
  overlay: Overlay | null;
  toast: Toast | null;
  connection: 'connecting' | 'connected' | 'lost';
  daemon: DaemonInfo | null;
  /** Recent CPU % and memory per service, oldest first, for the sparkline. */
  history: Record<string, { cpu: number[]; mem: number[] }>;
}

export type UiAction =
  | { type: 'snapshot'; services: ServiceStatus[] }
  | { type: 'event'; event: StateChangeEvent }
  | { type: 'status'; services: ServiceStatus[] }
  | { type: 'daemon'; daemon: DaemonInfo | null }
  | { type: 'connection'; connection: UiState['connection'] }
  | { type: 'select'; delta: number }
  | { type: 'toggle-view' }
  | { type: 'toggle-probes' }
  | { type: 'toggle-serve-log' }
  | { type: 'scroll'; by: number; maxScroll: number }
  | { type: 'scroll-to'; to: 'top' | 'end'; maxScroll: number }
  | { type: 'follow' }
  | { type: 'search-start' }
  | { type: 'search-input'; text: string }
  | { type: 'search-backspace' }
  | { type: 'search-commit' }
  | { type: 'search-cancel' }
  | { type: 'overlay'; overlay: Overlay | null }
  | { type: 'backend-choices'; choices: BackendChoice[] }
  | { type: 'picker-move'; delta: number }
  | { type: 'toast'; toast: Toast | null };

const HISTORY = 60;

export function initialUiState(): UiState {
  return { services: [], selected: 0, view: 'single', scroll: 0, search: { editing: false, query: '' }, probes: false, overlay: null, toast: null, connection: 'connecting', daemon: null, history: {} };
}

export const selectedService = (s: UiState): ServiceStatus | undefined => s.services[s.selected];

/** Who has the keyboard: an open overlay, the search being typed, or the main screen. Pure. */
export type Mode = 'main' | 'search' | Overlay['type'];
export const modeOf = (s: UiState): Mode => s.overlay?.type ?? (s.search.editing ? 'search' : 'main');

/** The TUI's state: every UI change goes through here. Pure. */
export function uiReducer(s: UiState, a: UiAction): UiState {
  switch (a.type) {
    case 'snapshot':
      return { ...s, services: a.services, selected: Math.min(s.selected, Math.max(0, a.services.length - 1)) };
    case 'event':
      return { ...s, services: s.services.map((svc) => (svc.name === a.event.service ? a.event.status : svc)), toast: settledError(s.toast, a.event) };
    case 'status':
      return { ...s, services: a.services, history: appendHistory(s.history, a.services) };
    case 'daemon':
      return { ...s, daemon: a.daemon };
    case 'connection':
      return { ...s, connection: a.connection };
    case 'select': {
      const n = s.services.length;
      if (n === 0) return s;
      return { ...s, selected: (s.selected + a.delta + n) % n, scroll: 0 };
    }
    case 'toggle-view':
      return { ...s, view: s.view === 'single' ? 'stacked' : 'single', scroll: 0 };
    case 'toggle-probes':
      return { ...s, probes: !s.probes, scroll: 0 };
    case 'toggle-serve-log':
      return { ...s, serveLog: !s.serveLog, scroll: 0 };
    case 'scroll':
      return { ...s, scroll: clamp(s.scroll + a.by, 0, a.maxScroll) };
    case 'scroll-to':
      return { ...s, scroll: a.to === 'top' ? a.maxScroll : 0 };
    case 'follow':
      return { ...s, scroll: 0 };
    case 'search-start':
      return { ...s, search: { editing: true, query: '' } };
    case 'search-input':
      return { ...s, search: { ...s.search, query: s.search.query + a.text } };
    case 'search-backspace':
      return { ...s, search: { ...s.search, query: s.search.query.slice(0, -1) } };
    case 'search-commit':
      // The status line now says where the search stands ("/term  match 3/17"), not what an older key did.
      return { ...s, search: { ...s.search, editing: false }, toast: null };
    case 'search-cancel':
      return { ...s, search: { editing: false, query: '' } };
    case 'overlay':
      return { ...s, overlay: a.overlay };
    case 'backend-choices':
      return s.overlay?.type === 'backend' ? { ...s, overlay: { ...s.overlay, choices: a.choices } } : s;
    case 'picker-move': {
      if (s.overlay?.type !== 'backend') return s;
      const count = s.overlay.choices?.length ?? 0;
      return { ...s, overlay: { ...s.overlay, index: clamp(s.overlay.index + a.delta, 0, Math.max(0, count - 1)) } };
    }
    case 'toast':
      return { ...s, toast: a.toast };
  }
}

function appendHistory(history: UiState['history'], services: ServiceStatus[]): UiState['history'] {
  const next: UiState['history'] = {};
  for (const svc of services) {
    const prev = history[svc.name] ?? { cpu: [], mem: [] };
    next[svc.name] = {
      cpu: [...prev.cpu, svc.cpuPercent ?? 0].slice(-HISTORY),
      mem: [...prev.mem, svc.memoryBytes ?? 0].slice(-HISTORY),
    };
  }
  return next;
}

/** An error toast about a service is over once that service is ready again (a later success settles it). */
function settledError(toast: Toast | null, event: StateChangeEvent): Toast | null {
  return toast?.level === 'error' && event.to === 'ready' && new RegExp(`\\b${event.service.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}\\b`).test(toast.text) ? null : toast;
}

const clamp = (n: number, lo: number, hi: number) => Math.max(lo, Math.min(hi, n));
