import { describe, expect, it } from 'vitest';
import { EventJournal } from '../../src/daemon/event-journal.js';
import { HistoryRecorder, UNWATCHED_POINT_MS } from '../../src/daemon/history.js';
import type { ServiceStatus } from '../../src/protocol/status.js';

/** A supervisor as the recorder sees it: each refresh of the LLM figures is a request to the server (a log line). */
function source() {
  const asked: number[] = [];
  let clock = 0;
  const status = { name: 'llama', cpuPercent: 1, memoryBytes: 1e6, llm: { generationTokensPerSecond: 40, requestsProcessing: 0, slotsBusy: 0 } } as unknown as ServiceStatus;
  return {
    asked,
    now: () => clock,
    tick: (ms: number) => (clock += ms),
    source: { refreshStats: async () => void asked.push(clock), status: () => [status] },
  };
}

describe('the history while no client watches', () => {
  it('takes a point (and asks the LLM servers for their figures) once a minute, not at every 10-s tree sample', async () => {
    const s = source();
    let watched = false;
    const recorder = new HistoryRecorder(s.source, new EventJournal(), 2000, () => undefined, s.now, () => watched);
    for (let i = 0; i < 18; i++, s.tick(10_000)) await recorder.take(); // 3 minutes of tree samples every 10 s
    expect(s.asked).toEqual([0, 60_000, 120_000]);
    expect(recorder.answer('llama', null).services.llama!.map((p) => p.t)).toEqual([0, 60_000, 120_000]);
    expect(recorder.answer('llama', null).services.llama!.every((p) => p.tokensPerSecond === 40)).toBe(true); // a minute's rate, not a 0

    // A client comes: a point at every sample again (every metrics interval).
    watched = true;
    const before = s.asked.length;
    for (let i = 0; i < 5; i++, s.tick(2000)) await recorder.take();
    expect(s.asked.length - before).toBe(5);
    expect(UNWATCHED_POINT_MS).toBe(60_000);
  });
});
