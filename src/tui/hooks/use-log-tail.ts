import { useEffect, useRef, useState, type RefObject } from 'react';
import type { DaemonApi } from '../../protocol/daemon-api.js';

export interface TailRequest {
  name: string;
  lines: number;
}

/**
 * The last lines of each pane's log, asked of the daemon at most every `everyMs`: it answers only when the log
 * changed (a mark of chunk and size), and with only the screenful shown, so a flood costs the TUI nothing and the
 * TUI needs no access to the log files.
 */
export function useLogTail(api: RefObject<DaemonApi | null>, requests: TailRequest[], everyMs = 100): Record<string, string[]> {
  const [tails, setTails] = useState<Record<string, string[]>>({});
  const marks = useRef(new Map<string, string>());
  const latest = useRef(requests);
  latest.current = requests;
  const key = requests.map((r) => `${r.name}:${r.lines}`).join('|');
  useEffect(() => {
    let busy = false;
    let disposed = false;
    const tick = async () => {
      const daemon = api.current;
      if (busy || !daemon) return;
      busy = true;
      try {
        const updates: Record<string, string[]> = {};
        for (const req of latest.current) {
          const answer = await daemon.logTail(req.name, req.lines, marks.current.get(req.name) ?? null).catch(() => null);
          if (!answer || answer.lines === null) continue;
          marks.current.set(req.name, answer.mark);
          updates[req.name] = answer.lines;
        }
        if (!disposed && Object.keys(updates).length) setTails((prev) => ({ ...prev, ...updates }));
      } finally {
        busy = false;
      }
    };
    void tick();
    const timer = setInterval(() => void tick(), everyMs);
    return () => {
      disposed = true;
      clearInterval(timer);
    };
  }, [key, everyMs]);
  return tails;
}
