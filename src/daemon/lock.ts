import fs from 'node:fs';
import { identify, isSameProcess } from '../process/identity.js';
import { readHolder } from './lock-holder.js';

export type LockResult = { acquired: true; release: () => void } | { acquired: false; holderPid: number };

/** One daemon per state directory: an O_EXCL lock file holding our pid and start time; a stale one is taken over. */
export function acquireLock(file: string): LockResult {
  const me = identify(process.pid) ?? { pid: process.pid, startTicks: -1 };
  for (let attempt = 0; attempt < 3; attempt++) {
    try {
      const fd = fs.openSync(file, 'wx', 0o600);
      fs.writeSync(fd, JSON.stringify(me));
      fs.closeSync(fd);
      return {
        acquired: true,
        release: () => {
          const holder = readHolder(file);
          if (holder?.pid === me.pid) fs.rmSync(file, { force: true });
        },
      };
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
      const holder = readHolder(file);
      if (holder && isSameProcess(holder)) return { acquired: false, holderPid: holder.pid };
      fs.rmSync(file, { force: true }); // its daemon is gone
    }
  }
  return { acquired: false, holderPid: readHolder(file)?.pid ?? -1 };
}

