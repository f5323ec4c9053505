import { describe, expect, it } from 'vitest';
import { computeLayout } from '../../src/tui/layout.js';
import { highlight, sanitizeLine, matchPosition, scrollToMatch, visibleWindow } from '../../src/tui/log-view.js';
import { sparkline } from '../../src/tui/sparkline.js';
import { initialUiState, uiReducer } from '../../src/tui/state.js';
import { shownText } from '../../src/tui/shown-text.js';
import { paneRow, paneRows } from '../../src/tui/log-region.js';
import { service } from './fake-daemon.js';

describe('what an idle screen redraws', () => {
  it('the daemon figures redraw only when something shown changes (rounded CPU, memory, minutes of uptime)', () => {
    const at = (patch: Parameters<typeof service>[1]) => uiReducer(initialUiState(), { type: 'status', services: [service('llama', { uptimeSeconds: 600, ...patch })] });
    const base = at({ cpuPercent: 0.2, memoryBytes: 50 * 2 ** 20 });
    expect(shownText(at({ cpuPercent: 0.4, memoryBytes: 50 * 2 ** 20 + 1000, uptimeSeconds: 602, startedAt: 'x' }), 0)).toBe(shownText(base, 0));
    expect(shownText(at({ cpuPercent: 1.6, memoryBytes: 50 * 2 ** 20 }), 0)).not.toBe(shownText(base, 0));
    expect(shownText(at({ cpuPercent: 0.2, memoryBytes: 50 * 2 ** 20, uptimeSeconds: 660 }), 0)).not.toBe(shownText(base, 0));
    expect(shownText(at({ cpuPercent: 0.2, memoryBytes: 50 * 2 ** 20, state: 'unhealthy' }), 0)).not.toBe(shownText(base, 0));
  });

  it('log rows drawn outside Ink: cut to the width (wide characters count two), matches inverted, padded to the height', () => {
    expect(paneRow('x'.repeat(30), 10, '', false)).toBe(`${'x'.repeat(9)}…`);
    expect(paneRow('模型加载模型加载', 10, '', false)).toBe('模型加载…');
    expect(paneRow('\x1b[31mGET /health 200\x1b[0m', 40, 'health', false)).toBe('GET /\x1b[7mhealth\x1b[0m 200');
    expect(paneRow('GET /health', 40, 'HEALTH', true)).toBe('GET /\x1b[7;33mhealth\x1b[0m');
    expect(paneRows(['a', 'b', 'c'], { height: 4, width: 80, scroll: 1, query: '', color: false })).toEqual(['a', 'b', '', '']);
  });
});

describe('layout', () => {
  it('fits 80×24 with a log pane of at least 15 lines', () => {
    const l = computeLayout(24, 80, 3, 'single');
    expect(l.paneLines).toHaveLength(1);
    expect(l.paneLines[0]).toBeGreaterThanOrEqual(15);
    expect(1 + l.listRows + (l.sparkline ? 1 : 0) + l.paneLines[0]! + 1 + 1).toBeLessThanOrEqual(24);
  });
  it('stacks every pane when there is room, and never overflows', () => {
    for (const rows of [10, 24, 50]) {
      const l = computeLayout(rows, 80, 3, 'stacked');
      const used = 1 + l.listRows + (l.sparkline ? 1 : 0) + l.paneLines.reduce((a, b) => a + b + 1, 0) + 1;
      expect(used).toBeLessThanOrEqual(Math.max(rows, 8));
    }
    expect(computeLayout(40, 80, 3, 'stacked').paneLines).toHaveLength(3);
  });
});

describe('log view', () => {
  it('windows, highlights and finds matches', () => {
    const lines = ['a', 'b match', 'c', 'd', 'e match', 'f'];
    expect(visibleWindow(lines, 2, 0)).toEqual(['e match', 'f']);
    expect(visibleWindow(lines, 2, 3)).toEqual(['b match', 'c']);
    expect(highlight('x match y MATCH', 'match')).toEqual([{ text: 'x ', match: false }, { text: 'match', match: true }, { text: ' y ', match: false }, { text: 'MATCH', match: true }]);
    expect(scrollToMatch(lines, 'match', 0, 2, -1)).toBe(1);
    expect(scrollToMatch(lines, 'match', 1, 2, -1)).toBe(4);
    expect(scrollToMatch(lines, 'match', 4, 2, 1)).toBe(1);
    expect(scrollToMatch(lines, 'nothing', 0, 2, -1)).toBeNull();
    expect(sanitizeLine('\x1b[1mbold\x1b[0m\x00')).toBe('bold');
  });
  it('sparklines scale to their maximum', () => {
    expect(sparkline([0, 5, 10], 10)).toBe('▁▅█');
    expect(sparkline([0, 0], 10)).toBe('▁▁');
    expect(sparkline([1, 2, 3, 4], 2)).toBe('▆█');
  });
});

describe('uiReducer', () => {
  it('selects with wrap-around, keeps history, and scrolls within bounds', () => {
    let s = uiReducer(initialUiState(), { type: 'snapshot', services: [service('a'), service('b')] });
    s = uiReducer(s, { type: 'select', delta: -1 });
    expect(s.selected).toBe(1);
    s = uiReducer(s, { type: 'status', services: [service('a', { cpuPercent: 5 }), service('b')] });
    s = uiReducer(s, { type: 'status', services: [service('a', { cpuPercent: 7 }), service('b')] });
    expect(s.history.a!.cpu).toEqual([5, 7]);
    s = uiReducer(s, { type: 'scroll', by: 50, maxScroll: 20 });
    expect(s.scroll).toBe(20);
    s = uiReducer(s, { type: 'follow' });
    expect(s.scroll).toBe(0);
    s = uiReducer(s, { type: 'search-start' });
    s = uiReducer(s, { type: 'search-input', text: 'ab' });
    s = uiReducer(s, { type: 'search-backspace' });
    expect(s.search).toEqual({ editing: true, query: 'a' });
  });
});

describe('search position', () => {
  it('counts matching lines up to the bottom of the window: "match 3/17"', () => {
    const lines = ['a error', 'b', 'c error', 'd', 'e error', 'f'];
    expect(matchPosition(lines, 'ERROR', 0)).toBe('match 3/3');
    expect(matchPosition(lines, 'error', 2)).toBe('match 2/3'); // bottom line is "d"
    expect(matchPosition(lines, 'error', 5)).toBe('match 1/3');
    expect(matchPosition(lines, 'nothing', 0)).toBe('no match');
    expect(matchPosition(lines, '', 0)).toBeNull();
  });
});

describe('the status line after a later success', () => {
  it('an error toast about a service is dropped once that service is ready again; others stay', () => {
    const failed = { ...initialUiState(), toast: { text: 'switch to ollama failed at step 3 (restart chat): port 13113 is in use', level: 'error' as const } };
    const event = (name: string, to: string) => ({ type: 'event' as const, event: { service: name, from: 'starting', to, status: service(name, { state: to as never }), at: 'x' } as never });
    expect(uiReducer(failed, event('chat', 'starting')).toast).toEqual(failed.toast);
    expect(uiReducer(failed, event('llama', 'ready')).toast).toEqual(failed.toast);
    expect(uiReducer(failed, event('chat', 'ready')).toast).toBeNull();
  });
});
