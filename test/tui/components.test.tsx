import { Box } from 'ink';
import { render } from 'ink-testing-library';
import { describe, expect, it } from 'vitest';
import { BackendPicker } from '../../src/tui/components/BackendPicker.js';
import { ConfirmDialog } from '../../src/tui/components/ConfirmDialog.js';
import { HelpOverlay } from '../../src/tui/components/HelpOverlay.js';
import { LogPane } from '../../src/tui/components/LogPane.js';
import { listEntries, ServiceList } from '../../src/tui/components/ServiceList.js';
import { unreachableRow } from '../../src/client/hosts-api.js';
import { StatusLine } from '../../src/tui/components/StatusLine.js';
import { daemonText, Header } from '../../src/tui/components/Header.js';
import { paneTitle } from '../../src/tui/pane-title.js';
import { BINDINGS, footerHints, PICKER_BINDINGS, SEARCH_BINDINGS } from '../../src/tui/keymap.js';
import { service } from './fake-daemon.js';

const NOW = Date.parse('2026-01-01T00:00:00Z');

describe('ServiceList', () => {
  it('shows glyph, state, pid, cpu, memory, uptime, restarts, port and model per row, and marks the selection', () => {
    const { lastFrame } = render(
      <ServiceList
        services={[
          service('llama'),
          service('ollama', { kind: 'ollama', state: 'crashed', pid: null, retries: 2, nextRetryAt: new Date(NOW + 4000).toISOString(), cpuPercent: null, memoryBytes: null, uptimeSeconds: null, model: null, port: 11434, restarts: 2 }),
          service('chat', { kind: 'app', state: 'starting', detail: 'loading model', port: 3113, model: null }),
        ]}
        selected={1}
        maxRows={5}
        now={NOW}
        color={false}
      />,
    );
    const lines = lastFrame()!.split('\n');
    expect(lines[0]).toMatch(/SERVICE\s+STATE\s+PID\s+CPU\s+MEM\s+UPTIME\s+↻\s+PORT\s+MODEL · LLM/);
    expect(lines[1]).toMatch(/^ {2}● llama\s+ready\s+1234\s+13%\s+50M\s+1m\s+0\s+8134\s+tiny\.gguf/);
    expect(lines[2]).toMatch(/^› ✗ ollama\s+retry 2\/5 in 4s\s/);
    expect(lines[3]).toMatch(/◐ chat\s+loading model/);
  });

  it('shows model, token rate, slots and GPU memory for llama-server, loaded models for ollama', () => {
    const llm = { metricsEnabled: true, promptTokensPerSecond: 100, generationTokensPerSecond: 42.5, requestsProcessing: 1, requestsDeferred: 0, slotsBusy: 1, slotsTotal: 4, loadedModels: null, sampledAt: '' };
    const frame = render(
      <ServiceList
        services={[
          service('llama', { llm, gpuMemoryBytes: 3 * 1024 ** 3 }),
          service('ollama', { kind: 'ollama', model: null, llm: { ...llm, loadedModels: [{ name: 'qwen2.5:0.5b', sizeVramBytes: 1, expiresAt: new Date(NOW + 240_000).toISOString() }] } }),
          service('off', { llm: { ...llm, metricsEnabled: false } }),
        ]}
        selected={0}
        maxRows={5}
        now={NOW}
        color={false}
      />,
    ).lastFrame()!;
    expect(frame).toMatch(/42\.5 tok\/s 1\/4 busy gpu 3\.0G/); // live figures first: the model name is what gets cut
    expect(frame).toMatch(/qwen2\.5:0\.5b 4m00s/);
    expect(frame).toMatch(/\(no --metrics\) 1\/4 busy/);
  });

  it('drops the PORT column below 96 columns so the live figures fit 80', () => {
    const llm = { metricsEnabled: true, promptTokensPerSecond: 1, generationTokensPerSecond: 15.9, requestsProcessing: 0, requestsDeferred: 0, slotsBusy: 0, slotsTotal: 1, loadedModels: null, sampledAt: '' };
    const frame = render(
      <Box width={80}>
        <ServiceList services={[service('llama', { llm })]} selected={0} maxRows={3} now={NOW} color={false} width={80} />
      </Box>,
    ).lastFrame()!;
    expect(frame).not.toMatch(/PORT/);
    expect(frame).toMatch(/15\.9 tok\/s 0\/1 busy/);
    for (const line of frame.split('\n')) expect(line.length).toBeLessThanOrEqual(80);
  });

  it('at 80 and 100 columns the serve words fit: `stopped · swapped` with the rest of the reason (`for alpha`) in the LLM column, `idle stop in 10m` whole', () => {
    const serve = (over: Record<string, unknown>) => ({ models: ['x'], group: 'cpu0', inFlight: 0, waiting: 0, idleStopAt: null, idleStopBy: null, ...over });
    for (const width of [80, 100]) {
      const frame = render(
        <Box width={width}>
          <ServiceList
            services={[
              service('alpha', { serve: serve({ idleStopAt: new Date(NOW + 600_000).toISOString(), idleStopBy: 'idleStop' }) }),
              service('beta', { state: 'stopped', pid: null, cpuPercent: null, memoryBytes: null, uptimeSeconds: null, stopReason: 'swapped out for alpha', serve: serve({}) }),
              service('gamma', { state: 'stopped', pid: null, cpuPercent: null, memoryBytes: null, uptimeSeconds: null, stopReason: 'idle 5s (keep_alive)', serve: serve({ group: null }) }),
            ]}
            selected={0}
            maxRows={5}
            now={NOW}
            color={false}
            width={width}
          />
        </Box>,
      ).lastFrame()!;
      const row = (name: string) => frame.split('\n').find((l) => l.includes(` ${name} `))!;
      expect(row('alpha'), `${width}`).toMatch(/ready\s.*idle stop in 10m/);
      expect(row('beta'), `${width}`).toMatch(/stopped · swapped\s.*  for alpha\b/);
      expect(row('gamma'), `${width}`).toMatch(/stopped · idle 5s\s.*  set by keep_alive\b/);
      for (const line of frame.split('\n')) expect([...line].length).toBeLessThanOrEqual(width);
    }
  });

  it('scrolls to keep the selected row visible when rows are limited', () => {
    const services = ['a', 'b', 'c', 'd'].map((n) => service(n));
    const frame = render(<ServiceList services={services} selected={3} maxRows={2} now={NOW} color={false} />).lastFrame()!;
    expect(frame).toMatch(/● c/);
    expect(frame).toMatch(/› ● d/);
    expect(frame).not.toMatch(/● a/);
  });
});

describe('ServiceList with several hosts', () => {
  it('groups the rows under a title per host, shows names without the host, and an unreachable host as one row', () => {
    const rows = [
      service('gpu-1/llama', { box: 'gpu-1' }),
      service('gpu-1/chat', { box: 'gpu-1', kind: 'app', model: null }),
      unreachableRow('gpu-2', 'ssh: connect to host gpu-2 port 22: No route to host'),
    ];
    const frame = render(<ServiceList services={rows} selected={2} maxRows={10} now={0} color={false} width={100} />).lastFrame()!;
    const lines = frame.split('\n');
    expect(lines[1]).toBe('  gpu-1');
    expect(lines[2]).toMatch(/^  ● llama\s+ready/);
    expect(lines[3]).toMatch(/^  ● chat\s+ready/);
    expect(lines[4]).toBe('  gpu-2');
    expect(lines[5]).toMatch(/^› ✗ link\s+unreachable /);
    expect(listEntries(rows).map((e) => e.type)).toEqual(['host', 'service', 'service', 'host', 'service']);
  });

  it('keeps the selected row in view when titles take rows too', () => {
    const rows = ['a', 'b', 'c'].flatMap((h) => [service(`${h}/llama`, { box: h }), service(`${h}/ollama`, { box: h, kind: 'ollama' })]);
    const frame = render(<ServiceList services={rows} selected={5} maxRows={3} now={0} color={false} width={100} />).lastFrame()!;
    expect(frame.split('\n').slice(1)).toEqual([expect.stringMatching(/^  c$/), expect.stringMatching(/^  ● llama/), expect.stringMatching(/^› ● ollama/)]);
  });
});

describe('LogPane', () => {
  const lines = Array.from({ length: 50 }, (_, i) => `line ${i}`);

  it('shows the last lines, follows, and pads to its height', () => {
    const frame = render(<LogPane title="llama" lines={lines.slice(0, 2)} height={4} scroll={0} query="" focused color={false} />).lastFrame()!;
    expect(frame.split('\n')).toHaveLength(5);
    expect(frame).toMatch(/── llama ──\nline 0\nline 1/);
  });

  it('scrolls back and says how to follow again', () => {
    const frame = render(<LogPane title="llama" lines={lines} height={3} scroll={10} query="" focused color={false} />).lastFrame()!;
    expect(frame).toMatch(/scrolled 10 lines up, f or End to follow/);
    expect(frame).toMatch(/line 37\nline 38\nline 39$/);
  });

  it('strips colours and control characters cleanly and truncates long lines', () => {
    const raw = ['\x1b[31mred\x1b[0m text\r', 'tab\there', `${'x'.repeat(300)}END`, '\x07bell\x1b]0;title\x07'];
    const frame = render(<LogPane title="t" lines={raw} height={4} scroll={0} query="" focused color={false} />).lastFrame()!;
    expect(frame).toContain('red text');
    expect(frame).toContain('tab    here');
    expect(frame).not.toContain('END');
    expect(frame).toContain('…');
    expect(frame).toContain('bell');
    expect(frame).not.toMatch(/\x1b|\x07|title/);
    for (const line of frame.split('\n')) expect(line.length).toBeLessThanOrEqual(100);
  });

});

describe('overlays and the status line', () => {
  it('help lists every bound key, and the whole box fits 80×24', () => {
    const frame = render(<Box width={80}><HelpOverlay width={80} /></Box>).lastFrame()!;
    for (const b of BINDINGS.filter((x) => x.keys)) expect(frame).toContain(b.keys);
    expect(frame).toContain('quit (services stay up)');
    const lines = frame.split('\n');
    expect(lines.length).toBeLessThanOrEqual(24 - 6); // under the header and a few service rows
    for (const line of lines) expect([...line].length).toBeLessThanOrEqual(80);
    expect(lines[0]).toMatch(/^╭─+╮$/);
    expect(lines.at(-1)).toMatch(/^╰─+╯$/);
    // No key's words are cut at 80 columns (a cut one ends its column without a space before the next).
    for (const b of BINDINGS.filter((x) => x.keys)) expect(frame, b.keys).toContain(`${b.keys.padEnd(10)} ${b.help}`);
  });

  it('the backend picker shows health and the active backend', () => {
    const frame = render(
      <BackendPicker
        choices={[
          { name: 'llamacpp', service: 'llama', healthy: true, active: true, reason: null },
          { name: 'ollama', service: 'ollama', healthy: false, active: false, reason: 'service ollama is stopped' },
          { name: 'builtin', service: null, healthy: null, active: false, reason: 'served by the app itself: not checked until it is active' },
        ]}
        index={1}
      />,
    ).lastFrame()!;
    expect(frame).toMatch(/✓ llamacpp\s+service llama\s+\(active\)/);
    expect(frame).toMatch(/› ✗ ollama.*\n.*\s{6}service ollama is stopped/);
    expect(frame).toMatch(/\s{6}served by the app itself: not checked until it is active/);
    expect(frame).toMatch(/\? builtin\s+served by the app itself/);
    expect(render(<BackendPicker choices={[]} index={0} />).lastFrame()).toMatch(/No backend is configured/);
  });

  it('a confirmation asks y/N', () => {
    expect(render(<ConfirmDialog question="Stop every service and quit?" />).lastFrame()).toMatch(/Stop every service and quit\? \[y\/N\]/);
  });

  it('the status line shows errors with an "error:" prefix under NO_COLOR, and the search being typed', () => {
    expect(render(<StatusLine toast={{ level: 'error', text: 'boom' }} search={{ editing: false, query: '' }} match={null} color={false} width={80} />).lastFrame()).toBe('error: boom');
    expect(render(<StatusLine toast={null} search={{ editing: true, query: 'abc' }} match="match 2/5" color={false} width={80} />).lastFrame()).toMatch(/^\/abc\s+match 2\/5 · Enter search/);
  });

  it('a search that is done shows its term and where it stands; then the key hints come back', () => {
    expect(render(<StatusLine toast={null} search={{ editing: false, query: 'error' }} match="match 3/17" color={false} width={80} />).lastFrame()).toMatch(/^\/error {2}match 3\/17 {2}n older · N newer · Esc clear/);
    expect(render(<StatusLine toast={null} search={{ editing: false, query: '' }} match={null} color={false} width={80} />).lastFrame()).toMatch(/\? help · q quit$/);
  });

  it('the key hints keep "? help" and "q quit" at any width, and fit it', () => {
    for (const width of [40, 60, 80, 100, 200]) {
      const text = footerHints(width);
      expect(text, String(width)).toMatch(/\? help · q quit$/);
      if (width >= 40) expect([...text].length, String(width)).toBeLessThanOrEqual(width);
    }
    expect(footerHints(80)).toMatch(/^↑↓ select · r restart · s start\/stop · b backend · \/ search/);
    expect(footerHints(200)).toContain('Q stop all');
  });
});

describe('the header and pane titles say why', () => {
  const info = { running: true, pid: 1, socket: '', stateDir: '', configFile: '', name: 'x', uptimeSeconds: 1, version: '0' };
  it('the hosts view at 80 columns with a box down stays one row, cut to the width, "? help" kept', () => {
    const hosts = [
      { host: 'workstation-in-the-basement', pid: 10, reachable: true, error: null, link: 'up' as const },
      { host: 'gpu-box-number-two', pid: null, reachable: false, error: 'ssh: connect to host gpu-box-number-two port 22: Connection refused', link: 'unreachable' as const },
      { host: 'laptop', pid: null, reachable: false, error: null, link: 'connecting' as const },
    ];
    const frame = render(<Header name="workstation-in-the-basement + gpu-box-number-two + laptop" daemon={{ ...info, hosts }} connection="connected" backend={null} width={80} />).lastFrame()!;
    expect(frame.split('\n')).toHaveLength(1);
    expect([...frame].length).toBeLessThanOrEqual(80);
    expect(frame).toMatch(/…\s*\? help$/);
  });

  it('a box being dialled is connecting, a dropped link is reconnecting, a refused one unreachable', () => {
    const hosts = [
      { host: 'a', pid: null, reachable: false, error: null, link: 'connecting' as const },
      { host: 'b', pid: null, reachable: false, error: 'the link to b was lost', link: 'lost' as const },
      { host: 'c', pid: null, reachable: false, error: 'Connection refused', link: 'unreachable' as const },
      { host: 'd', pid: 4, reachable: true, error: null, link: 'up' as const },
    ];
    expect(daemonText({ ...info, hosts }, 'connected')).toBe('a connecting… · link to b lost, reconnecting · c ✗ unreachable, retrying · d ✓');
    expect(daemonText(null, 'lost', 'gpu')).toBe('link to gpu lost, reconnecting…');
    expect(daemonText(null, 'connecting', 'gpu')).toBe('connecting to gpu…');
    expect(daemonText(null, 'lost')).toBe('daemon lost, reconnecting…');
  });

  it('a pane title carries the reason of a failed service, and says when probes are shown', () => {
    expect(paneTitle(service('llama', { state: 'error', logDir: '/l', lastError: "couldn't bind HTTP server socket, hostname: 127.0.0.1, port: 8134" }), false)).toBe(
      "llama · error: couldn't bind HTTP server socket, hostname: 127.0.0.1, port: 8134",
    );
    expect(paneTitle(service('llama', { state: 'ready', logDir: '/l', lastError: 'old' }), false)).toBe('llama');
    expect(paneTitle(service('llama', { logDir: null }), false)).toBe('llama (no log yet)');
    expect(paneTitle(service('llama', { logDir: '/l' }), true)).toMatch(/^llama \(with llama-top's own requests/);
  });

  it('the help names the keys of the search prompt and the picker too', () => {
    const frame = render(<Box width={100}><HelpOverlay width={100} /></Box>).lastFrame()!;
    for (const b of [...SEARCH_BINDINGS, ...PICKER_BINDINGS].filter((x) => x.keys && x.help)) expect(frame).toContain(`${b.keys} ${b.help}`);
  });
});
