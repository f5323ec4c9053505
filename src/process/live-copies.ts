import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { commandLine } from './proc-io.js';

export interface LiveProcess {
  pid: number;
  argv: string[];
}

/**
 * Is `running` the same command line as `wanted`? The program may have been named by path or found on PATH, so
 * the first word matches by base name; every argument must be equal. Pure.
 */
export function sameCommandLine(running: string[], wanted: string[]): boolean {
  if (running.length !== wanted.length || wanted.length === 0) return false;
  if (path.basename(running[0]!) !== path.basename(wanted[0]!)) return false;
  return wanted.every((arg, i) => i === 0 || running[i] === arg);
}

/** Every process's argv: /proc/<pid>/cmdline where there is /proc, else `ps` (macOS; arguments split on spaces). */
export function readCommandLines(procDir = '/proc'): LiveProcess[] {
  if (!fs.existsSync(path.join(procDir, 'self', 'cmdline'))) return readPsCommandLines();
  const out: LiveProcess[] = [];
  for (const entry of fs.readdirSync(procDir)) {
    if (!/^\d+$/.test(entry)) continue;
    const argv = commandLine(Number(entry), procDir); // null: gone, or not ours to read
    if (argv) out.push({ pid: Number(entry), argv });
  }
  return out;
}

function readPsCommandLines(): LiveProcess[] {
  try {
    const text = execFileSync('ps', ['-A', '-o', 'pid=', '-o', 'args='], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] });
    return text
      .split('\n')
      .map((line) => /^\s*(\d+)\s+(.*)$/.exec(line))
      .filter((m): m is RegExpExecArray => m !== null)
      .map((m) => ({ pid: Number(m[1]), argv: m[2]!.split(' ') }));
  } catch {
    return [];
  }
}

/** The lowest pid (not in `ignore`) already running `argv`, or null. */
export function findLiveCopy(argv: string[], ignore: Set<number>, processes: LiveProcess[] = readCommandLines()): number | null {
  const pids = processes.filter((p) => !ignore.has(p.pid) && sameCommandLine(p.argv, argv)).map((p) => p.pid);
  return pids.length ? Math.min(...pids) : null;
}
