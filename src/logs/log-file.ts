import fs from 'node:fs';
import path from 'node:path';

const pad = (n: number) => String(n).padStart(2, '0');

/** `<service>_YYYYMMDD_HHMMSS.log` in local time. */
export function logFileName(service: string, at: Date): string {
  const stamp = `${at.getFullYear()}${pad(at.getMonth() + 1)}${pad(at.getDate())}_${pad(at.getHours())}${pad(at.getMinutes())}${pad(at.getSeconds())}`;
  return `${service}_${stamp}.log`;
}

/** A new file for one start of `service`; a second start in the same second gets a `-2` suffix. */
export function createLogFile(dir: string, service: string, at = new Date()): string {
  fs.mkdirSync(dir, { recursive: true, mode: 0o700 });
  const base = logFileName(service, at).replace(/\.log$/, '');
  for (let n = 1; ; n++) {
    const file = path.join(dir, n === 1 ? `${base}.log` : `${base}-${n}.log`);
    try {
      fs.closeSync(fs.openSync(file, 'wx', 0o640));
      return file;
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
    }
  }
}

const escapeRegExp = (s: string) => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

/** This service's log files, oldest first (names sort by time). */
export function listLogFiles(dir: string, service: string): string[] {
  const pattern = new RegExp(`^${escapeRegExp(service)}_\\d{8}_\\d{6}(-\\d+)?\\.log$`);
  let names: string[];
  try {
    names = fs.readdirSync(dir);
  } catch {
    return [];
  }
  return names
    .filter((name) => pattern.test(name))
    .sort(compareLogNames)
    .map((name) => path.join(dir, name));
}

function compareLogNames(a: string, b: string): number {
  const key = (name: string) => {
    const m = /_(\d{8}_\d{6})(?:-(\d+))?\.log$/.exec(name)!;
    return [m[1]!, Number(m[2] ?? 1)] as const;
  };
  const [ta, na] = key(a);
  const [tb, nb] = key(b);
  return ta < tb ? -1 : ta > tb ? 1 : na - nb;
}

export function latestLogFile(dir: string, service: string): string | null {
  return listLogFiles(dir, service).at(-1) ?? null;
}

/** Which old files to delete so at most `maxFiles` remain and their total stays under `maxBytes`. Pure. */
export function filesToPrune(files: Array<{ file: string; size: number }>, maxFiles: number, maxBytes: number, keep: string): string[] {
  const doomed: string[] = [];
  let total = files.reduce((sum, f) => sum + f.size, 0);
  let count = files.length;
  for (const f of files) {
    if (f.file === keep) continue;
    if (count <= maxFiles && total <= maxBytes) break;
    doomed.push(f.file);
    total -= f.size;
    count--;
  }
  return doomed;
}

/** Deletes old logs of `service`; never the current file, so no line of the running process is lost. */
export function pruneLogFiles(dir: string, service: string, maxFiles: number, maxBytes: number, current: string): void {
  const files = listLogFiles(dir, service).map((file) => {
    try {
      return { file, size: fs.statSync(file).size };
    } catch {
      return { file, size: 0 };
    }
  });
  for (const file of filesToPrune(files, maxFiles, maxBytes, current)) fs.rmSync(file, { force: true });
}
