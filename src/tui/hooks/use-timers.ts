import { useEffect, useState } from 'react';
import type { UiAction, UiState } from '../state.js';

/** States whose label counts seconds. */
const TICKING = new Set(['starting', 'draining', 'stopping', 'crashed']);

/**
 * The time the screen is drawn at. The clock redraws only what counts seconds (a start, a stop, a retry countdown);
 * uptimes and the rest change with the daemon's figures every 2 s: an idle screen is not redrawn every second.
 */
export function useTickingClock(stateRef: React.RefObject<UiState>): number {
  const [, setNow] = useState(Date.now());
  useEffect(() => {
    const timer = setInterval(() => {
      if (stateRef.current.services.some((s) => TICKING.has(s.state))) setNow(Date.now());
    }, 1000);
    return () => clearInterval(timer);
  }, []);
  return Date.now();
}

/** Successes fade back to the key hints after `toastMs`; progress and errors stay until the next message. */
export function useToastFade(stateRef: React.RefObject<UiState>, dispatch: (action: UiAction) => void, toastMs: number): void {
  const toast = stateRef.current.toast;
  useEffect(() => {
    if (toast?.level !== 'ok') return;
    const timer = setTimeout(() => {
      if (stateRef.current.toast === toast) dispatch({ type: 'toast', toast: null });
    }, toastMs);
    return () => clearTimeout(timer);
  }, [toast]);
}
