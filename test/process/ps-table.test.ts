import { describe, expect, it } from 'vitest';
import { parseCpuTime, parsePsTable, readPsTable } from '../../src/process/ps-table.js';
import { ProcTable } from '../../src/process/proc-table.js';

describe('the ps fallback (macOS has no /proc)', () => {
  it('parses CPU times and rows of ps -o pid,ppid,pgid,rss,time,stat,lstart', () => {
    expect(parseCpuTime('0:01.50')).toBe(1.5);
    expect(parseCpuTime('01:02:03')).toBe(3723);
    expect(parseCpuTime('2-00:00:01')).toBe(172801);
    const rows = parsePsTable('  501     1   501  40960 0:02.25 Ss   Mon Nov 23 01:40:23 2026\n  777   501   501   4096 00:00:00 R+   Mon Nov 23 01:41:00 2026\ngarbage\n');
    expect(rows).toHaveLength(2);
    expect(rows[0]).toMatchObject({ pid: 501, ppid: 1, pgid: 501, state: 'S', cpuTicks: 225, rssPages: 10240 });
    expect(rows[1]!.startTicks - rows[0]!.startTicks).toBe(37);
    expect(new ProcTable(rows).tree(501)).toEqual([501, 777]);
  });

  it('reads the real ps here too: this process, its parent and a stable start time', () => {
    const all = readPsTable();
    const me = all.find((p) => p.pid === process.pid)!;
    expect(me.ppid).toBe(process.ppid);
    expect(readPsTable(process.pid)[0]!.startTicks).toBe(me.startTicks);
    expect(all.length).toBeGreaterThan(3);
  });
});
