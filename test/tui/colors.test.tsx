import { describe, expect, it } from 'vitest';

// Colour support is decided when Ink's colour library loads: force it before importing anything of Ink.
process.env.FORCE_COLOR = '1';
const { render } = await import('ink-testing-library');
const { LogPane } = await import('../../src/tui/components/LogPane.js');
const { StatusLine } = await import('../../src/tui/components/StatusLine.js');

describe('with colours', () => {
  it('search matches are highlighted (inverse)', () => {
    const frame = render(<LogPane title="t" lines={['a needle in a haystack']} height={1} scroll={0} query="NEEDLE" focused color />).lastFrame()!;
    expect(frame).toMatch(/\x1b\[7m[^\n]*needle/);
  });

  it('errors in the status line are red', () => {
    const frame = render(<StatusLine toast={{ level: 'error', text: 'boom' }} search={{ editing: false, query: '' }} match={null} color width={80} />).lastFrame()!;
    expect(frame).toMatch(/\x1b\[31m[^\n]*boom/);
    expect(frame).not.toContain('error: ');
  });
});
