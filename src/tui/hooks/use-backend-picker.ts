import type { DaemonApi } from '../../protocol/daemon-api.js';
import { errorMessage } from '../../protocol/errors.js';
import type { BackendChoice } from '../components/BackendPicker.js';
import type { PickerCommand } from '../keymap.js';
import type { UiAction, UiState } from '../state.js';

/** The chat app's backend, as the picker needs it (see control.ts). */
export interface BackendControl {
  choices(api: DaemonApi): Promise<BackendChoice[]>;
  switchTo(api: DaemonApi, name: string): Promise<string>;
}

export interface BackendPickerActions {
  /** b: opens the picker and asks the daemon for the choices and their health. */
  open(): void;
  /** A key of the open picker. */
  onCommand(command: PickerCommand): void;
}

/** What the backend picker does: list the choices, move, switch (progress and outcome in the status line). */
export function backendPicker(api: React.RefObject<DaemonApi | null>, backend: BackendControl | undefined, stateRef: React.RefObject<UiState>, dispatch: (action: UiAction) => void): BackendPickerActions {
  const toast = (level: 'info' | 'ok' | 'error', text: string) => dispatch({ type: 'toast', toast: { level, text } });
  return {
    open() {
      const daemon = api.current;
      dispatch({ type: 'overlay', overlay: { type: 'backend', index: 0, choices: backend && daemon ? null : [] } });
      if (!daemon || !backend) return;
      void backend.choices(daemon).then((choices) => dispatch({ type: 'backend-choices', choices }), (error) => toast('error', errorMessage(error)));
    },
    onCommand(command) {
      const overlay = stateRef.current.overlay;
      if (overlay?.type !== 'backend') return;
      if (command === 'picker-close') return dispatch({ type: 'overlay', overlay: null });
      if (command === 'picker-up') return dispatch({ type: 'picker-move', delta: -1 });
      if (command === 'picker-down') return dispatch({ type: 'picker-move', delta: 1 });
      const choice = overlay.choices?.[overlay.index];
      const daemon = api.current;
      if (!backend || !daemon || !choice) return;
      dispatch({ type: 'overlay', overlay: null });
      toast('info', `switching the backend to ${choice.name}…`);
      void backend.switchTo(daemon, choice.name).then(
        (text) => {
          toast('ok', text);
          void daemon.daemonInfo().then((info) => dispatch({ type: 'daemon', daemon: info }), () => undefined); // the header's backend, now
        },
        (error) => toast('error', errorMessage(error)),
      );
    },
  };
}
