import fs from 'node:fs';
import path from 'node:path';

/** Below this many free bytes a disk counts as full: a log line or a state file no longer fits for sure. */
export const FULL_BELOW_BYTES = 1024 * 1024;

/** Free bytes for an unprivileged user on the filesystem holding `dir` (or its nearest existing parent). */
export function freeBytes(dir: string): number | null {
  for (let d = dir; ; d = path.dirname(d)) {
    try {
      const st = fs.statfsSync(d);
      return st.bavail * st.bsize;
    } catch {
      if (path.dirname(d) === d) return null;
    }
  }
}

export const isDiskFull = (dir: string) => {
  const free = freeBytes(dir);
  return free !== null && free < FULL_BELOW_BYTES;
};

/**
 * One line per full disk the stack writes to: which directory, and who cannot write there. Pure but for statfs.
 */
export function diskProblems(places: Array<{ dir: string; what: string }>): string[] {
  const problems: string[] = [];
  for (const { dir, what } of places) {
    const free = freeBytes(dir);
    if (free !== null && free < FULL_BELOW_BYTES) problems.push(`disk full: ${dir} has ${Math.floor(free / 1024)} KiB free; ${what}`);
  }
  return problems;
}
