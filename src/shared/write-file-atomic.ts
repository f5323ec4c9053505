import fs from 'node:fs';

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
