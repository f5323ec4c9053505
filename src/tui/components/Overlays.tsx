import type { PickerCommand } from '../keymap.js';
import type { Actions } from '../hooks/use-actions.js';
import type { KeyRouter } from '../hooks/use-keys.js';
import type { Overlay, UiAction } from '../state.js';
import { BackendPicker } from './BackendPicker.js';
import { ConfirmDialog } from './ConfirmDialog.js';
import { HelpOverlay } from './HelpOverlay.js';

export interface OverlaysProps {
  overlay: Overlay;
  width: number;
  keys: KeyRouter;
  dispatch: (action: UiAction) => void;
  actions: Actions;
  onPicker: (command: PickerCommand) => void;
  quit: (stoppedAll: boolean) => void;
}

/** The open overlay, which has the keyboard while it is shown. */
export function Overlays({ overlay, width, keys, dispatch, actions, onPicker, quit }: OverlaysProps) {
  const close = () => dispatch({ type: 'overlay', overlay: null });
  if (overlay.type === 'help') return <HelpOverlay width={width} keys={keys} onClose={close} />;
  if (overlay.type === 'backend') return <BackendPicker choices={overlay.choices} index={overlay.index} width={width} keys={keys} onCommand={onPicker} />;
  const answer = (yes: boolean) => {
    close();
    if (!yes) return dispatch({ type: 'toast', toast: { level: 'info', text: 'cancelled' } });
    if (overlay.action === 'kill' && overlay.service) void actions.stop(overlay.service, true);
    if (overlay.action === 'quit-all') void actions.stopAll().then(() => quit(true));
  };
  const question = overlay.action === 'kill' ? `Force-stop ${overlay.service} (SIGKILL its whole process tree)?` : 'Stop every service and quit?';
  return <ConfirmDialog question={question} keys={keys} onAnswer={answer} />;
}
