import { diskProblems } from '../process/disk-space.js';

const DISK_WATCH_MS = Number(process.env.LLAMA_TOP_DISK_WATCH_MS) || 15_000;

/**
 * Tells once when a disk the stack writes to fills up (a `disk-full` event), and again only after it had room in
 * between: statfs of each place every 15 s, off every other path. Returns the stop.
 */
export function watchDisks(places: () => Array<{ dir: string; what: string }>, onFull: (problem: string) => void): () => void {
  let full = new Set<string>();
  const check = () => {
    const now = new Set<string>();
    for (const place of places()) {
      const [problem] = diskProblems([place]);
      if (!problem) continue;
      now.add(place.dir);
      if (!full.has(place.dir)) onFull(problem);
    }
    full = now;
  };
  const timer = setInterval(check, DISK_WATCH_MS);
  timer.unref();
  return () => clearInterval(timer);
}
