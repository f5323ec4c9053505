import { EventEmitter } from 'node:events';
import { describe, expect, it } from 'vitest';
import { diffFrames, DiffingScreen } from '../../src/tui/screen.js';
import { waitFor } from '../helpers/wait.js';

class FakeTerminal extends EventEmitter {
  columns = 40;
  rows = 3;
  writes: string[] = [];
  write(data: string) {
    this.writes.push(data);
    return true;
  }
}

describe('diffFrames', () => {
  it('draws everything first, then only the rows that changed', () => {
    expect(diffFrames(null, ['a', 'b'], 2)).toBe('\x1b[H\x1b[2J\x1b[1;1Ha\x1b[0m\x1b[K\x1b[2;1Hb\x1b[0m\x1b[K');
    expect(diffFrames(['a', 'b'], ['a', 'c'], 2)).toBe('\x1b[2;1Hc\x1b[0m\x1b[K');
    expect(diffFrames(['a', 'b'], ['a', 'b'], 2)).toBe('');
    expect(diffFrames(['a', 'b'], ['a'], 2)).toBe('\x1b[2;1H\x1b[0m\x1b[K'); // a row that emptied is cleared
  });
});

describe('DiffingScreen', () => {
  it('uses the alternate screen, writes nothing for an unchanged frame, and restores the terminal on close', async () => {
    const terminal = new FakeTerminal();
    const screen = new DiffingScreen(terminal, 1000);
    expect(terminal.writes[0]).toBe('\x1b[?1049h\x1b[?25l');
    screen.write('one\ntwo\nthree');
    await waitFor(() => terminal.writes.length === 2, 'first frame');
    screen.write('one\ntwo\nthree');
    screen.write('one\nTWO\nthree');
    await waitFor(() => terminal.writes.length === 3, 'second frame');
    expect(terminal.writes[2]).toBe('\x1b[?2026h\x1b[2;1HTWO\x1b[0m\x1b[K\x1b[?2026l');
    screen.close();
    expect(terminal.writes.at(-1)).toBe('\x1b[?25h\x1b[?1049l');
  });

  it('puts at most maxFps frames a second on the terminal however many it is given', async () => {
    const terminal = new FakeTerminal();
    const screen = new DiffingScreen(terminal, 10);
    const started = Date.now();
    for (let i = 0; i < 500; i++) screen.write(`frame ${i}\nx\ny`);
    await waitFor(() => terminal.writes.some((w) => w.includes('frame 499')), 'the last frame');
    const frames = terminal.writes.filter((w) => w.includes('frame'));
    // the first frame goes out at once, the rest are coalesced into the next tick
    expect(frames.length).toBeLessThanOrEqual(1 + Math.ceil((Date.now() - started) / 100));
    expect(frames.length).toBeLessThan(5);
    screen.close();
  });

  it('draws the log regions over the blank rows Ink leaves, and writes only the rows that changed', async () => {
    const terminal = new FakeTerminal();
    terminal.rows = 5;
    const screen = new DiffingScreen(terminal, 1000);
    screen.write('header\n── llama ──\n\n\nstatus');
    screen.show([{ top: 2, rows: ['line 1', 'line 2'] }]);
    await waitFor(() => terminal.writes.some((w) => w.includes('line 2')), 'the first frame');
    screen.show([{ top: 2, rows: ['line 2', 'line 3'] }]);
    await waitFor(() => terminal.writes.some((w) => w.includes('line 3')), 'the new lines');
    expect(terminal.writes.at(-1)).toBe('\x1b[?2026h\x1b[3;1Hline 2\x1b[0m\x1b[K\x1b[4;1Hline 3\x1b[0m\x1b[K\x1b[?2026l');
    screen.close();
  });

  it('redraws everything after a resize', async () => {
    const terminal = new FakeTerminal();
    const screen = new DiffingScreen(terminal, 1000);
    let resized = 0;
    screen.on('resize', () => resized++);
    screen.write('a\nb\nc');
    await waitFor(() => terminal.writes.length === 2, 'first frame');
    terminal.rows = 2;
    terminal.emit('resize');
    expect(resized).toBe(1);
    screen.write('a\nb');
    await waitFor(() => terminal.writes.length === 3, 'redraw');
    expect(terminal.writes[2]).toContain('\x1b[2J');
    screen.close();
  });
});
