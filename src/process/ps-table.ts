import { execFileSync } from 'node:child_process';
import type { ProcStat } from './proc-stat.js';

/** `ps` columns that mean the same on macOS and Linux; lstart (several words) goes last. */
export const PS_ARGS = ['-A', '-o', 'pid=', '-o', 'ppid=', '-o', 'pgid=', '-o', 'rss=', '-o', 'time=', '-o', 'stat=', '-o', 'lstart='];

/** "[[DD-]HH:]MM:SS[.ss]" → seconds. Pure. */
export function parseCpuTime(text: string): number {
  const [days, rest] = text.includes('-') ? [Number(text.split('-')[0]), text.split('-')[1]!] : [0, text];
  return days * 86400 + rest.split(':').reduce((acc, part) => acc * 60 + Number(part), 0);
}

/**
 * `ps` output → the same records /proc gives (where there is no /proc: macOS). CPU time becomes 1/100 s "ticks",
 * RSS 4 KiB "pages", and the start time (1 s resolution) the identity's start ticks. Pure.
 */
export function parsePsTable(text: string): ProcStat[] {
  const out: ProcStat[] = [];
  for (const line of text.split('\n')) {
    const m = /^\s*(\d+)\s+(\d+)\s+(\d+)\s+(\d+)\s+(\S+)\s+(\S+)\s+(.+?)\s*$/.exec(line);
    if (!m) continue;
    const started = Date.parse(m[7]!);
    out.push({
      pid: Number(m[1]),
      comm: '',
      state: m[6]![0]!,
      ppid: Number(m[2]),
      pgid: Number(m[3]),
      sid: 0,
      cpuTicks: Math.round(parseCpuTime(m[5]!) * 100),
      startTicks: Number.isNaN(started) ? 0 : Math.floor(started / 1000),
      rssPages: Math.round(Number(m[4]) / 4),
    });
  }
  return out;
}

export function readPsTable(pid?: number): ProcStat[] {
  try {
    const args = pid === undefined ? PS_ARGS : [...PS_ARGS.filter((a) => a !== '-A'), '-p', String(pid)];
    return parsePsTable(execFileSync('ps', args, { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] }));
  } catch {
    return [];
  }
}
