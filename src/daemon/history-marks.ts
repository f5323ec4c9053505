import type { HistoryMark } from '../protocol/history.js';
import type { StackEvent } from '../protocol/journal.js';

/**
 * The journal's entries worth a mark on a chart: every named event but `ready` (each start ends in one) and
 * `draining` (each stop of a ready LLM server begins with one; a cut is marked as `drain-cut`), and of the
 * plain state changes the starts: `restart` (stopping → starting) and `start` (from stopped or a given-up error; a
 * crash's retry is marked by its crash already). Pure.
 */
export function chartMarks(events: StackEvent[]): HistoryMark[] {
  const marks: HistoryMark[] = [];
  for (const e of events) {
    const t = Date.parse(e.time);
    if (e.event === 'state') {
      if (e.to !== 'starting') continue;
      if (e.from === 'stopping') marks.push({ t, service: e.service, event: 'restart', reason: e.reason });
      else if (e.from === 'stopped' || e.from === 'error') marks.push({ t, service: e.service, event: 'start', reason: null });
    } else if (e.event !== 'ready' && e.event !== 'draining') marks.push({ t, service: e.service, event: e.event, reason: e.reason });
  }
  return marks;
}
