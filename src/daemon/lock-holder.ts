import fs from 'node:fs';

/** The pid and start time the lock file names, or null. */
export function readHolder(file: string): { pid: number; startTicks: number } | null {
  try {
    const parsed = JSON.parse(fs.readFileSync(file, 'utf8')) as { pid: number; startTicks: number };
    return typeof parsed.pid === 'number' ? parsed : null;
  } catch {
    return null;
  }
}
