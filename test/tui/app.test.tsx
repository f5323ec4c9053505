import { render } from 'ink-testing-library';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { App } from '../../src/tui/app.js';
import { waitFor } from '../helpers/wait.js';
import { FakeDaemon, service } from './fake-daemon.js';

const instances: Array<{ unmount: () => void }> = [];
afterEach(() => {
  for (const i of instances.splice(0)) i.unmount();
});

function renderApp(daemon: FakeDaemon, extra: Partial<Parameters<typeof App>[0]> = {}) {
  const exits: boolean[] = [];
  const connects: number[] = [];
  const instance = render(
    <App
      name="stack"
      connect={async () => {
        connects.push(Date.now());
        return daemon;
      }}
      autostart={['llama']}
      color={false}
      size={{ columns: 100, rows: 24 }}
      onExit={(all) => exits.push(all)}
      logPollMs={20}
      {...extra}
    />,
  );
  instances.push(instance);
  const frame = () => instance.lastFrame() ?? '';
  const press = async (keys: string) => {
    instance.stdin.write(keys);
    await new Promise((r) => setImmediate(r));
  };
  return { instance, frame, press, exits, connects };
}

describe('App with a fake daemon', () => {
  it('R reloads the config and says what changed; a broken file is shown as an error', async () => {
    const daemon = new FakeDaemon([service('llama')]);
    let outcome: Promise<string> = Promise.resolve('config reloaded: restarted llama');
    const asked: unknown[] = [];
    const { frame, press } = renderApp(daemon, { reload: (api) => (asked.push(api), outcome) });
    await waitFor(() => frame().includes('● llama'), 'the row');
    await press('R');
    await waitFor(() => frame().includes('config reloaded: restarted llama'), 'the reload result');
    expect(asked).toEqual([daemon]); // over the TUI's own connection: no second one (over ssh, a second login)
    outcome = Promise.reject(new Error('llama-top.yaml:3:11 services.llama.kind: must be one of: …'));
    await press('R');
    await waitFor(() => frame().includes('error: llama-top.yaml:3:11 services.llama.kind'), 'the config error');
  });

  it('shows the log pane the daemon reads (no file access), and follows new lines', async () => {
    const daemon = new FakeDaemon([service('llama')]);
    daemon.logs.llama = ['main: loading model', 'srv  update_slots: all slots are idle'];
    const { frame } = renderApp(daemon);
    await waitFor(() => frame().includes('srv  update_slots: all slots are idle'), 'the log from the daemon');
    daemon.logs.llama.push('srv  log_server_r: request: POST /completion 127.0.0.1 200');
    await waitFor(() => frame().includes('POST /completion'), 'the new line');
  });

  it('renders header and rows, and starts the autostart services on first connect without waiting', async () => {
    const daemon = new FakeDaemon([service('llama'), service('ollama', { kind: 'ollama', model: null })]);
    const { frame } = renderApp(daemon);
    await waitFor(() => frame().includes('daemon 999 up 42s'), 'header');
    expect(frame()).toMatch(/llama-top stack/);
    expect(frame()).toMatch(/● llama/);
    expect(daemon.calls).toContainEqual(['start', ['llama'], false]);
  });

  it('r restarts the selected service and reports the outcome; errors show too', async () => {
    const daemon = new FakeDaemon([service('llama'), service('ollama')]);
    const { frame, press } = renderApp(daemon);
    await waitFor(() => frame().includes('● ollama'), 'rows');
    await press('j');
    await press('r');
    await waitFor(() => frame().includes('ollama ready in 3.2 s'), 'restart outcome');
    expect(daemon.calls).toContainEqual(['restart', ['ollama'], true]);
    daemon.outcome = (name) => ({ name, ok: false, state: 'error', error: 'exited with code 1: boom', elapsedMs: 10 });
    await press('r');
    await waitFor(() => frame().includes('error: ollama: exited with code 1: boom'), 'error outcome');
  });

  it('a success message fades back to the key hints; an error stays', async () => {
    const daemon = new FakeDaemon([service('llama')]);
    const { frame, press } = renderApp(daemon, { toastMs: 150 });
    await waitFor(() => frame().includes('● llama'), 'rows');
    await press('r');
    await waitFor(() => frame().includes('llama ready in 3.2 s'), 'outcome');
    await waitFor(() => frame().includes('r restart · s start/stop'), 'hints again');
    // The app's timers are the test's from here: every timeout due within 10 × toastMs fires at once, a fade included.
    vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout'], shouldAdvanceTime: true });
    try {
      daemon.outcome = (name) => ({ name, ok: false, state: 'error', error: 'boom', elapsedMs: 1 });
      await press('r');
      await waitFor(() => frame().includes('error: llama: boom'), 'error');
      vi.advanceTimersByTime(10 * 150);
      // A frame drawn after the timers ran (it shows a newer log line) still shows the error.
      daemon.logs.llama = [...(daemon.logs.llama ?? []), 'a line written after the fade time'];
      await waitFor(() => frame().includes('a line written after the fade time'), 'a frame drawn after the fade time');
      expect(frame()).toContain('error: llama: boom');
    } finally {
      vi.useRealTimers();
    }
  });

  it('s stops a running service and starts a stopped one', async () => {
    const daemon = new FakeDaemon([service('llama'), service('idle', { state: 'stopped', pid: null })]);
    const { frame, press } = renderApp(daemon);
    await waitFor(() => frame().includes('idle'), 'rows');
    await press('s');
    await waitFor(() => frame().includes('llama stopped in 0.1 s'), 'stopped');
    await press('j');
    await press('s');
    await waitFor(() => daemon.calls.some((c) => c[0] === 'start' && (c[1] as string[])[0] === 'idle'), 'start idle');
  });

  it('K asks first; n cancels, y force-stops', async () => {
    const daemon = new FakeDaemon([service('llama')]);
    const { frame, press } = renderApp(daemon);
    await waitFor(() => frame().includes('● llama'), 'rows');
    await press('K');
    await waitFor(() => /Force-stop llama \(SIGKILL its whole process tree\)\? \[y\/N\]/.test(frame()), 'the question');
    await press('n');
    await waitFor(() => frame().includes('cancelled'), 'cancel');
    expect(daemon.calls.filter((c) => c[0] === 'stop')).toEqual([]);
    await press('K');
    await waitFor(() => frame().includes('[y/N]'), 'the question again');
    await press('y');
    await waitFor(() => frame().includes('llama killed'), 'killed');
    expect(daemon.calls).toContainEqual(['stop', ['llama'], true]);
  });

  it('q quits leaving services alone; Q asks, then stops everything', async () => {
    const daemon = new FakeDaemon([service('llama')]);
    const first = renderApp(daemon);
    await waitFor(() => first.frame().includes('● llama'), 'rows');
    await first.press('q');
    await waitFor(() => first.exits.length > 0, 'exit');
    expect(first.exits).toEqual([false]);
    expect(daemon.calls.filter((c) => c[0] === 'stop')).toEqual([]);

    const second = renderApp(new FakeDaemon([service('llama')]));
    await waitFor(() => second.frame().includes('● llama'), 'rows');
    await second.press('Q');
    await waitFor(() => /Stop every service and quit\? \[y\/N\]/.test(second.frame()), 'the question');
    await second.press('y');
    await waitFor(() => second.exits.length > 0, 'exit');
    expect(second.exits).toEqual([true]);
  });

  it('? opens the help and any key closes it; keys typed together are each handled', async () => {
    const daemon = new FakeDaemon([service('a'), service('b'), service('c')]);
    const { frame, press } = renderApp(daemon);
    await waitFor(() => frame().includes('● c'), 'rows');
    await press('?');
    await waitFor(() => frame().includes('llama-top keys'), 'help');
    await press('x');
    await waitFor(() => !frame().includes('llama-top keys'), 'help closed');
    await press('jj');
    await waitFor(() => /› ● c/.test(frame()), 'two moves from one read');
  });

  it('shows events as they come, and says when the daemon is lost, then reconnects', async () => {
    const daemon = new FakeDaemon([service('llama')]);
    const { frame, connects } = renderApp(daemon);
    await waitFor(() => frame().includes('● llama'), 'rows');
    daemon.push({ push: 'event', event: { type: 'state', time: '', service: 'llama', from: 'ready', to: 'crashed', status: service('llama', { state: 'crashed', retries: 1, nextRetryAt: new Date(Date.now() + 2000).toISOString() }) } });
    await waitFor(() => /✗ llama\s+retry 1\/5 in [12]s/.test(frame()), "crashed row");
    daemon.drop();
    await waitFor(() => frame().includes('daemon lost, reconnecting'), 'lost');
    await waitFor(() => connects.length === 2 && frame().includes('reconnected to the daemon'), 'reconnected', 5000);
    expect(daemon.calls.filter((c) => c[0] === 'start')).toHaveLength(1); // autostart only once
  });

  it('the b picker switches the backend through the backend control', async () => {
    const daemon = new FakeDaemon([service('llama')]);
    daemon.activeBackend = 'llamacpp'; // the header shows what the daemon reports, never the app's file
    const switched: string[] = [];
    const backend = {
      choices: async () => [{ name: 'llamacpp', service: 'llama', healthy: true, active: true }, { name: 'ollama', service: 'ollama', healthy: true, active: false }],
      switchTo: async (_api: unknown, name: string) => {
        switched.push(name);
        return `backend switched to ${name} in 1.0 s`;
      },
    };
    const { frame, press } = renderApp(daemon, { backend });
    await waitFor(() => frame().includes('backend llamacpp'), 'header backend');
    await press('b');
    await waitFor(() => frame().includes('✓ ollama'), 'picker');
    await press('j');
    await press('\r');
    await waitFor(() => frame().includes('backend switched to ollama in 1.0 s'), 'switched', 2000).catch((e) => { throw new Error(frame()); });
    expect(switched).toEqual(['ollama']);
  });

  it('keys read together across a mode change go to the mode the first one opened ("Ky" force-stops)', async () => {
    const daemon = new FakeDaemon([service('llama')]);
    const { frame, press } = renderApp(daemon);
    await waitFor(() => frame().includes('● llama'), 'rows');
    await press('Ky');
    await waitFor(() => frame().includes('llama killed'), 'killed from one read');
    expect(daemon.calls).toContainEqual(['stop', ['llama'], true]);
    await press('/srv\r');
    await waitFor(() => /^\/srv {2}no match/m.test(frame()), 'the search from one read');
  });

  it('after a search the status line says where it stands, not an older error', async () => {
    const daemon = new FakeDaemon([service('llama')]);
    daemon.logs.llama = ['main: loading model', 'srv  error: one', 'srv  ok', 'srv  error: two', 'srv  idle'];
    daemon.outcome = (name) => ({ name, ok: false, state: 'error', error: 'exited with code 1: boom', elapsedMs: 10 });
    const { frame, press } = renderApp(daemon);
    await waitFor(() => frame().includes('srv  idle'), 'the log');
    await press('r');
    await waitFor(() => frame().includes('error: llama: exited with code 1: boom'), 'the error');
    await press('/');
    await press('error');
    await press('\r');
    await waitFor(() => /^\/error {2}match 2\/2/m.test(frame()), 'the match position');
    expect(frame()).not.toContain('boom');
  });

  it('a failed service says why in its pane title, with no key pressed', async () => {
    const daemon = new FakeDaemon([service('llama', { state: 'error', pid: null, lastError: 'port 8134 is in use by pid 4242 (python3)' })]);
    const { frame } = renderApp(daemon);
    await waitFor(() => frame().includes('── llama (no log yet) · error: port 8134 is in use by pid 4242 (python3) ──'), 'the reason in the title');
  });

  it('--remote: the header names the host, and a dropped link is called one', async () => {
    const daemon = new FakeDaemon([service('llama')]);
    const { frame } = renderApp(daemon, { remote: 'gpu-box' });
    await waitFor(() => /llama-top stack on gpu-box · daemon 999/.test(frame()), 'the host in the header');
    daemon.drop();
    await waitFor(() => frame().includes('link to gpu-box lost, reconnecting'), 'the lost link');
    expect(frame()).not.toContain('daemon lost');
  });

  it("folds llama-top's own requests in the log pane; p shows them", async () => {
    const daemon = new FakeDaemon([service('llama')]);
    daemon.logs.llama = ['srv  log_server_r: request: GET /health 127.0.0.1 200', 'srv  log_server_r: request: POST /v1/chat/completions 127.0.0.1 200'];
    const { frame, press } = renderApp(daemon);
    await waitFor(() => frame().includes('POST /v1/chat/completions'), 'the user request');
    expect(frame()).not.toContain('GET /health');
    expect(daemon.tailProbes[0]).toBe(false);
    await press('p');
    await waitFor(() => frame().includes('GET /health'), 'the probes shown');
    expect(frame()).toContain("with llama-top's own requests");
  });
});
