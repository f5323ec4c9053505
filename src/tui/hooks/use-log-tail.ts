import { useEffect, useRef, type RefObject } from 'react';
import type { DaemonApi } from '../../protocol/daemon-api.js';

export interface TailRequest {
  name: string;
  lines: number;
  /** Keep llama-top's own requests (its health checks, its figures) among the lines; folded away when false. */
  probes: boolean;
}

/** After an answer with nothing new, the next ask waits twice as long, up to this. */
const IDLE_MAX_MS = 2000;

/**
 * The last lines of each pane's log, asked of the daemon: it answers only when the log changed (a mark of chunk
 * and size), and with only the screenful shown, so a flood costs the TUI nothing and the TUI needs no access to the
 * log files. While lines keep coming it asks every `everyMs` (ten times a second); while nothing changes it backs
 * off to once every 2 s. The lines are kept in the returned ref; `onChange` is called when they changed.
 */
export function useLogTail(api: RefObject<DaemonApi | null>, requests: TailRequest[], everyMs = 100, onChange: () => void = () => undefined): RefObject<Record<string, string[]>> {
  const tails = useRef<Record<string, string[]>>({});
  const marks = useRef(new Map<string, string>());
  const latest = useRef(requests);
  latest.current = requests;
  const changed = useRef(onChange);
  changed.current = onChange;
  const key = requests.map((r) => `${r.name}:${r.lines}:${r.probes}`).join('|');
  useEffect(() => {
    let disposed = false;
    let timer: NodeJS.Timeout | undefined;
    let wait = everyMs;
    const tick = async () => {
      const daemon = api.current;
      let any = false;
      if (daemon)
        for (const req of latest.current) {
          const answer = await daemon.logTail(req.name, req.lines, marks.current.get(req.name) ?? null, req.probes).catch(() => null);
          if (!answer || answer.lines === null) continue;
          marks.current.set(req.name, answer.mark);
          tails.current = { ...tails.current, [req.name]: answer.lines };
          any = true;
        }
      if (disposed) return;
      if (any) changed.current();
      wait = any ? everyMs : Math.min(IDLE_MAX_MS, wait * 2);
      timer = setTimeout(() => void tick(), wait);
    };
    void tick();
    return () => {
      disposed = true;
      clearTimeout(timer);
    };
  }, [key, everyMs]);
  return tails;
}
