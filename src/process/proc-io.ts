import fs from 'node:fs';

/** Does this system count each process's I/O (Linux /proc/PID/io)? */
export const HAS_PROC_IO = fs.existsSync('/proc/self/io');

/** How many write system calls `pid` has made (`syscw` in /proc/PID/io); null when gone, not ours, or no /proc. */
export function writeCalls(pid: number, procDir = '/proc'): number | null {
  try {
    const m = /^syscw:\s*(\d+)$/m.exec(fs.readFileSync(`${procDir}/${pid}/io`, 'utf8'));
    return m ? Number(m[1]) : null;
  } catch {
    return null;
  }
}

/** The argv of `pid` from /proc/PID/cmdline, or null. */
export function commandLine(pid: number, procDir = '/proc'): string[] | null {
  try {
    const raw = fs.readFileSync(`${procDir}/${pid}/cmdline`, 'utf8');
    return raw ? raw.replace(/\0$/, '').split('\0') : null;
  } catch {
    return null;
  }
}

