import { Text } from 'ink';
import { render } from 'ink-testing-library';
import { describe, expect, it } from 'vitest';
import { applyEvent, eventsUrl, useLlamaTop, type EventSourceLike } from '../../src/web/react.js';
import { service } from '../tui/fake-daemon.js';
import { waitFor } from '../helpers/wait.js';

/** An EventSource the test drives: what the daemon's /api/events would send. */
class FakeEventSource implements EventSourceLike {
  static opened: FakeEventSource[] = [];
  readyState = 0;
  onerror: ((e: unknown) => void) | null = null;
  onopen: ((e: unknown) => void) | null = null;
  private listeners = new Map<string, Array<(e: { data: string }) => void>>();
  constructor(readonly url: string) {
    FakeEventSource.opened.push(this);
  }
  addEventListener(type: string, listener: (e: { data: string }) => void) {
    this.listeners.set(type, [...(this.listeners.get(type) ?? []), listener]);
  }
  emit(type: string, data: unknown) {
    this.readyState = 1;
    for (const l of this.listeners.get(type) ?? []) l({ data: JSON.stringify(data) });
  }
  fail(closed: boolean) {
    this.readyState = closed ? 2 : 0;
    this.onerror?.({});
  }
  close() {
    this.readyState = 2;
  }
}

function Probe({ url, token }: { url: string; token: string }) {
  const { services, connected, error } = useLlamaTop(url, token, { EventSource: FakeEventSource, retryMs: 20 });
  return <Text>{`${connected ? 'live' : 'down'} ${services.map((s) => `${s.name}:${s.state}`).join(',')} ${error ?? ''}`}</Text>;
}

describe('useLlamaTop (llama-top/react)', () => {
  it('follows snapshot and state events, says when the link is lost, and reconnects after a refusal', async () => {
    FakeEventSource.opened = [];
    const { lastFrame, unmount } = render(<Probe url="http://127.0.0.1:7878/" token="t0k" />);
    expect(FakeEventSource.opened[0]!.url).toBe('http://127.0.0.1:7878/api/events?token=t0k');
    const first = FakeEventSource.opened[0]!;
    first.emit('snapshot', { services: [service('llama'), service('ollama', { state: 'stopped' })] });
    await waitFor(() => lastFrame()!.startsWith('live llama:ready,ollama:stopped'), 'the snapshot');
    first.emit('state', { type: 'state', time: '', service: 'ollama', from: 'stopped', to: 'starting', status: service('ollama', { state: 'starting' }) });
    await waitFor(() => lastFrame()!.includes('ollama:starting'), 'a state event');
    first.fail(false); // EventSource retries by itself
    await waitFor(() => lastFrame()!.startsWith('down') && lastFrame()!.includes('reconnecting'), 'lost');
    expect(FakeEventSource.opened).toHaveLength(1);
    first.fail(true); // refused (e.g. the daemon restarting): closed, so the hook opens a new one
    await waitFor(() => FakeEventSource.opened.length === 2, 'a new EventSource');
    FakeEventSource.opened[1]!.emit('snapshot', { services: [service('llama')] });
    await waitFor(() => lastFrame() === 'live llama:ready', 'live again, the error gone');
    unmount();
    expect(FakeEventSource.opened[1]!.readyState).toBe(2);
  });

  it('applies events to the list, pure', () => {
    const list = applyEvent([], 'snapshot', { services: [service('a')] });
    expect(applyEvent(list, 'state', { service: 'a', status: service('a', { state: 'crashed' }) }).map((s) => s.state)).toEqual(['crashed']);
    expect(applyEvent(list, 'state', { service: 'b', status: service('b') }).map((s) => s.name)).toEqual(['a', 'b']);
    expect(eventsUrl('http://127.0.0.1:7878', 'x')).toBe('http://127.0.0.1:7878/api/events?token=x');
  });
});
