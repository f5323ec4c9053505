import { describe, expect, it } from 'vitest';
import type { Push } from '../../src/protocol/messages.js';
import { ControlServer, type Subscriber } from '../../src/daemon/server.js';
import { dispatch } from '../../src/daemon/handlers/index.js';

const subscriber = (): Subscriber & { got: Push[] } => {
  const got: Push[] = [];
  return { subscribed: false, inFlight: 0, onClose: [], got, send: (m) => void ('push' in m && got.push(m)), close: () => undefined };
};

describe("the history's sample pushes", () => {
  it('go only to subscribers that asked for them (the page), never to the TUI or a remote link; marks go to all', async () => {
    const server = new ControlServer(async () => null as never);
    const daemon = { supervisor: { status: () => [] } } as any;
    const page = subscriber();
    const tui = subscriber();
    for (const [s, params] of [[page, { samples: true }], [tui, { samples: false }]] as const) {
      server.attach(s);
      await dispatch('subscribe', params, { daemon, connection: s });
    }
    server.broadcast({ push: 'sample', sample: { t: 1, services: {} } });
    server.broadcast({ push: 'mark', mark: { t: 1, service: 'llama', event: 'restart', reason: null } });
    expect(page.got.map((p) => p.push)).toEqual(['snapshot', 'sample', 'mark']);
    expect(tui.got.map((p) => p.push)).toEqual(['snapshot', 'mark']);
  });
});
