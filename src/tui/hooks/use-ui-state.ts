import { useCallback, useRef, useState } from 'react';
import { shownText } from '../shown-text.js';
import { initialUiState, uiReducer, type UiAction, type UiState } from '../state.js';

export interface UiStore {
  /** As last drawn. */
  state: UiState;
  /** As of the last action: key handlers read and advance this, so several keys in one read each see the one before. */
  stateRef: React.RefObject<UiState>;
  dispatch: (action: UiAction) => void;
}

/** The TUI's state, changed only by actions through `uiReducer`; figures that change nothing shown draw nothing. */
export function useUiState(): UiStore {
  const [state, setState] = useState(initialUiState);
  const stateRef = useRef(state);
  const dispatch = useCallback((action: UiAction) => {
    const previous = stateRef.current;
    stateRef.current = uiReducer(previous, action);
    // The daemon's figures come every 2 s: draw only when something shown changed (an idle screen is not redrawn).
    if ((action.type === 'status' || action.type === 'daemon') && shownText(previous) === shownText(stateRef.current)) return;
    setState(stateRef.current);
  }, []);
  return { state, stateRef, dispatch };
}
