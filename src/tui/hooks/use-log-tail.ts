import fs from 'node:fs';
import { useEffect, useRef, useState } from 'react';
import { latestChunk, readLastLogLines } from '../../logs/chunks.js';

export interface TailRequest {
  name: string;
  file: string | null;
  lines: number;
}

interface Seen {
  file: string | null;
  size: number;
  mtimeMs: number;
  lines: number;
}

/**
 * The last lines of each pane's log file, re-read at most every `everyMs` and only when the file changed.
 * Reading only the last screenful keeps the cost flat however fast a service writes.
 */
export function useLogTail(requests: TailRequest[], everyMs = 100): Record<string, string[]> {
  const [tails, setTails] = useState<Record<string, string[]>>({});
  const seen = useRef(new Map<string, Seen>());
  const latest = useRef(requests);
  latest.current = requests;
  const key = requests.map((r) => `${r.name}:${r.file}:${r.lines}`).join('|');
  useEffect(() => {
    const tick = () => {
      const updates: Record<string, string[]> = {};
      let changed = false;
      for (const req of latest.current) {
        const before = seen.current.get(req.name);
        let size = 0;
        let mtimeMs = 0;
        const current = req.file ? latestChunk(req.file) : null;
        if (current) {
          try {
            const st = fs.statSync(current.file);
            size = st.size;
            mtimeMs = st.mtimeMs;
          } catch {
            // not created yet
          }
        }
        if (before && before.file === (current?.file ?? null) && before.size === size && before.mtimeMs === mtimeMs && before.lines === req.lines) continue;
        seen.current.set(req.name, { file: current?.file ?? null, size, mtimeMs, lines: req.lines });
        updates[req.name] = req.file ? readLastLogLines(req.file, req.lines).map((l) => l.text) : [];
        changed = true;
      }
      if (changed) setTails((prev) => ({ ...prev, ...updates }));
    };
    tick();
    const timer = setInterval(tick, everyMs);
    return () => clearInterval(timer);
  }, [key, everyMs]);
  return tails;
}
