import fs from 'node:fs';
import type { SavedService } from '../supervisor/supervisor.js';

export interface DaemonStateFile {
  version: 1;
  daemonPid: number;
  configFile: string;
  updatedAt: string;
  services: Record<string, SavedService>;
  envOverrides?: Record<string, Record<string, string>>;
}

/** write → fsync → (keep the previous copy) → rename: a crash at any point leaves a whole file behind. */
export function writeFileAtomic(file: string, text: string, keepPrevious = false): void {
  const tmp = `${file}.${process.pid}.tmp`;
  const fd = fs.openSync(tmp, 'w', 0o600);
  try {
    fs.writeSync(fd, text);
    fs.fsyncSync(fd);
  } finally {
    fs.closeSync(fd);
  }
  if (keepPrevious) {
    try {
      fs.copyFileSync(file, `${file}.prev`);
    } catch {
      // first write: nothing to keep
    }
  }
  fs.renameSync(tmp, file);
}

export function writeStateFile(file: string, state: DaemonStateFile): void {
  writeFileAtomic(file, JSON.stringify(state, null, 2), true);
}

/** The current state, else the previous copy, else null. Never throws on a damaged file. */
export function readStateFile(file: string): DaemonStateFile | null {
  for (const candidate of [file, `${file}.prev`]) {
    try {
      const parsed = JSON.parse(fs.readFileSync(candidate, 'utf8')) as DaemonStateFile;
      if (parsed && parsed.version === 1 && typeof parsed.services === 'object') return parsed;
    } catch {
      // try the next one
    }
  }
  return null;
}
