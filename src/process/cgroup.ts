import fs from 'node:fs';
import path from 'node:path';

/**
 * cgroup v2, read and written through its files. Everything here is a plain file operation on one cgroup
 * directory; which directory llama-top uses is decided in containment.ts.
 */

/** Where the cgroup2 hierarchy is mounted (from mountinfo: hybrid systems mount it at …/unified), or null. */
export function cgroup2Mount(mountinfo = '/proc/self/mountinfo'): string | null {
  let text: string;
  try {
    text = fs.readFileSync(mountinfo, 'utf8');
  } catch {
    return null;
  }
  for (const line of text.split('\n')) {
    // 36 35 0:30 / /sys/fs/cgroup rw,nosuid - cgroup2 cgroup2 rw  (the fields after " - " are type, source, options)
    const [left, right] = line.split(' - ');
    if (!left || !right || right.split(' ')[0] !== 'cgroup2') continue;
    const mountPoint = left.split(' ')[4];
    if (mountPoint) return mountPoint.replace(/\\(\d{3})/g, (_, octal: string) => String.fromCharCode(parseInt(octal, 8)));
  }
  return null;
}

/** This process's cgroup v2 path (the `0::/…` line of /proc/self/cgroup), e.g. `/user.slice/…/app.scope`. */
export function ownCgroup(procCgroup = '/proc/self/cgroup'): string | null {
  try {
    const line = fs.readFileSync(procCgroup, 'utf8').split('\n').find((l) => l.startsWith('0::'));
    return line ? line.slice(3) : null;
  } catch {
    return null;
  }
}

const read = (dir: string, file: string): string | null => {
  try {
    return fs.readFileSync(path.join(dir, file), 'utf8');
  } catch {
    return null;
  }
};

const write = (dir: string, file: string, value: string): boolean => {
  try {
    fs.writeFileSync(path.join(dir, file), value);
    return true;
  } catch {
    return false;
  }
};

/** The pids in the cgroup (not its children); empty when it is gone. */
export function cgroupPids(dir: string): number[] {
  const text = read(dir, 'cgroup.procs');
  return text ? text.split('\n').filter(Boolean).map(Number) : [];
}

/** One key of a flat keyed file such as cgroup.events (`populated 1`). */
const keyed = (text: string | null, key: string): string | null => {
  const m = text ? new RegExp(`^${key} (\\S+)$`, 'm').exec(text) : null;
  return m ? m[1]! : null;
};

/** Does any process live in the cgroup or below it? False once it is empty or gone. */
export function isPopulated(dir: string): boolean {
  const events = read(dir, 'cgroup.events');
  if (events === null) return cgroupPids(dir).length > 0;
  return keyed(events, 'populated') === '1';
}

export const exists = (dir: string): boolean => fs.existsSync(path.join(dir, 'cgroup.procs'));

/** Freezes (true) or thaws (false) every process of the cgroup; false when the kernel has no cgroup.freeze. */
export const setFrozen = (dir: string, frozen: boolean): boolean => write(dir, 'cgroup.freeze', frozen ? '1' : '0');

export const isFrozen = (dir: string): boolean => keyed(read(dir, 'cgroup.events'), 'frozen') === '1';

/** SIGKILLs every process of the cgroup and its children at once (Linux 5.14+); false where there is no cgroup.kill. */
export const killAll = (dir: string): boolean => write(dir, 'cgroup.kill', '1');

/** CPU time used by everything that ever ran in the cgroup, in seconds (cpu.stat is there without any controller). */
export function cpuSeconds(dir: string): number | null {
  const usec = keyed(read(dir, 'cpu.stat'), 'usage_usec');
  return usec === null ? null : Number(usec) / 1e6;
}

/** Removes an empty cgroup; false while it is populated (EBUSY) or when it is not ours to remove. */
export function removeCgroup(dir: string): boolean {
  try {
    fs.rmdirSync(dir);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'ENOENT';
  }
}

/**
 * argv that joins the cgroup and then execs `argv` (same pid: the leader is in the cgroup before the program runs,
 * so every process it ever forks is too). POSIX sh only: Node cannot place a child in a cgroup between fork and exec.
 */
export function joinAndExec(dir: string, argv: string[]): string[] {
  return ['/bin/sh', '-c', 'echo $$ > "$0/cgroup.procs" || exit 126; exec "$@"', dir, ...argv];
}
