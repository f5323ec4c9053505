/** One line of /proc/<pid>/stat, parsed. Pure: no file access. */
export interface ProcStat {
  pid: number;
  comm: string;
  state: string;
  ppid: number;
  pgid: number;
  sid: number;
  /** utime + stime, in clock ticks. */
  cpuTicks: number;
  /** Start time after boot, in clock ticks: with the pid, identifies a process across pid reuse. */
  startTicks: number;
  rssPages: number;
}

/** The command name may hold spaces and parentheses, so split after the LAST ')'. */
export function parseProcStat(line: string): ProcStat | null {
  const open = line.indexOf('(');
  const close = line.lastIndexOf(')');
  if (open < 0 || close < open) return null;
  const fields = line.slice(close + 2).trim().split(/\s+/);
  // fields[0] is field 3 (state) of proc(5).
  if (fields.length < 22) return null;
  const num = (i: number) => Number(fields[i - 3]);
  return {
    pid: Number(line.slice(0, open).trim()),
    comm: line.slice(open + 1, close),
    state: fields[0]!,
    ppid: num(4),
    pgid: num(5),
    sid: num(6),
    cpuTicks: num(14) + num(15),
    startTicks: num(22),
    rssPages: num(24),
  };
}
