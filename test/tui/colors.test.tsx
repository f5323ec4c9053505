import { describe, expect, it } from 'vitest';

// Colour support is decided when Ink's colour library loads: force it before importing anything of Ink.
process.env.FORCE_COLOR = '1';
const { render } = await import('ink-testing-library');
const { LogPane } = await import('../../src/tui/components/LogPane.js');
const { StatusLine } = await import('../../src/tui/components/StatusLine.js');
const { ServiceList } = await import('../../src/tui/components/ServiceList.js');
const { service } = await import('./fake-daemon.js');

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

  it('a stopped on-demand or idle-stopped service is gray with its reason, never red like a crash', () => {
    const serve = { models: ['gamma'], group: null, inFlight: 0, waiting: 0, idleStopAt: null };
    const stopped = { pid: null, lastError: 'exited with code 143', cpuPercent: null, memoryBytes: null, uptimeSeconds: null, llm: null, serve };
    const services = [service('gamma', { ...stopped, state: 'stopped', stopReason: null }), service('beta', { ...stopped, state: 'stopped', stopReason: 'idle 10m' }), service('bad', { state: 'crashed' })];
    const frame = render(<ServiceList services={services} selected={2} maxRows={4} now={Date.now()} color width={100} />).lastFrame()!;
    const row = (name: string) => frame.split('\n').find((l) => l.includes(name))!;
    expect(row('gamma')).toContain('\x1b[90mstopped · on demand');
    expect(row('beta')).toContain('\x1b[90mstopped · idle 10m');
    expect(row('gamma') + row('beta')).not.toContain('\x1b[31m');
    expect(row('bad')).toContain('\x1b[31m'); // the check sees red where it is
  });
});
