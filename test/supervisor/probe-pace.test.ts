import { describe, expect, it } from 'vitest';
import { parseConfigText } from '../../src/config/load.js';
import { probeDue } from '../../src/supervisor/probe-pace.js';

const calm = { phase: 'ready', failures: 0, watched: false, lastProbeAt: 0, intervalMs: 5000, quietIntervalMs: 60_000 };

describe('the quiet pace of a healthy, unwatched service', () => {
  it('checks once per quiet interval while ready, passing and unwatched', () => {
    expect(probeDue({ ...calm, now: 5000 })).toBe(false);
    expect(probeDue({ ...calm, now: 55_000 })).toBe(false);
    expect(probeDue({ ...calm, now: 57_600 })).toBe(true); // the tick a few ms early still counts
    expect(probeDue({ ...calm, phase: 'external', now: 5000 })).toBe(false);
  });

  it('at the interval while starting, after a failed check, while a client watches, or with no quiet pace', () => {
    expect(probeDue({ ...calm, phase: 'unhealthy', now: 5000 })).toBe(true);
    expect(probeDue({ ...calm, phase: 'starting', now: 5000 })).toBe(true);
    expect(probeDue({ ...calm, failures: 1, now: 5000 })).toBe(true);
    expect(probeDue({ ...calm, watched: true, now: 5000 })).toBe(true);
    expect(probeDue({ ...calm, lastProbeAt: null, now: 5000 })).toBe(true);
    expect(probeDue({ ...calm, quietIntervalMs: 5000, now: 5000 })).toBe(true);
  });

  it("config: an app's HTTP check is quiet by default (60 s); an interval set, a quietInterval, other kinds", () => {
    const service = (lines: string) =>
      parseConfigText(`services:\n  svc:\n${lines.split('\n').map((l) => `    ${l}`).join('\n')}\n`, '/cfg/llama-top.yaml', () => '/tmp/logs').services[0]!;
    const app = 'kind: app\ncommand: [python3, app.py]\nport: 3113';
    expect(service(`${app}\nhealth: { http: / }`)).toMatchObject({ probeIntervalMs: 5000, quietProbeIntervalMs: 60_000 });
    expect(service(`${app}\nhealth: { http: /, interval: 2s }`)).toMatchObject({ probeIntervalMs: 2000, quietProbeIntervalMs: 2000 }); // asked for
    expect(service(`${app}\nhealth: { http: /, quietInterval: 5m }`)).toMatchObject({ probeIntervalMs: 5000, quietProbeIntervalMs: 300_000 });
    expect(service(`${app}\nhealth: { http: /, interval: 10s, quietInterval: 1s }`)).toMatchObject({ quietProbeIntervalMs: 10_000 }); // never faster
    expect(service(app)).toMatchObject({ quietProbeIntervalMs: 5000 }); // a TCP connect is no line in its log
    expect(service('kind: llama-server\nmodel: /m.gguf\nport: 8080')).toMatchObject({ probeIntervalMs: 5000, quietProbeIntervalMs: 5000 });
  });
});
