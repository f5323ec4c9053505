import { daemonText } from './components/Header.js';
import { serviceCells } from './components/ServiceList.js';
import { sparkline } from './sparkline.js';
import { selectedService, type UiState } from './state.js';

/** What the list, the sparkline and the header show of `state`, as text: equal texts draw equal screens. Pure. */
export function shownText(state: UiState, now = Date.now()): string {
  const selected = selectedService(state);
  const history = selected ? state.history[selected.name] : undefined;
  return [
    daemonText(state.daemon, state.connection),
    state.daemon?.backend ?? '',
    ...state.services.map((s) => `${serviceCells(s, now).join('|')}|${s.lastError ?? ''}`),
    sparkline(history?.cpu ?? [], 20),
    sparkline(history?.mem ?? [], 20),
  ].join('\n');
}
