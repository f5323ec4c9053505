import { describe, expect, it } from 'vitest';
import { BINDINGS } from '../../src/tui/keymap.js';
import { paneTitle } from '../../src/tui/pane-title.js';
import { serveLogPane } from '../../src/tui/serve-pane.js';
import { initialUiState, uiReducer } from '../../src/tui/state.js';

describe('serve: the TUI pane of the serve log', () => {
  it('v toggles the first pane between the service and the serve log, from the top', () => {
    const key = BINDINGS.find((b) => b.command === 'toggle-serve-log')!;
    expect(key.keys).toBe('v');
    expect(key.matches('v', {} as never)).toBe(true);
    let s = { ...initialUiState(), scroll: 12 };
    s = uiReducer(s, { type: 'toggle-serve-log' });
    expect(s.serveLog).toBe(true);
    expect(s.scroll).toBe(0);
    expect(uiReducer(s, { type: 'toggle-serve-log' }).serveLog).toBe(false);
  });

  it("the pane asks the daemon's log-tail for `serve` and is titled so", () => {
    const pane = serveLogPane();
    expect(pane.name).toBe('serve');
    expect(paneTitle(pane, false)).toBe('serve');
  });
});
