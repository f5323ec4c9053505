import { describe, expect, it } from 'vitest';
import { parseProcStat } from '../../src/process/proc-stat.js';
import { ProcTable } from '../../src/process/proc-table.js';
import { connectedClients, listeningInodes } from '../../src/process/ports.js';
import { httpThreads } from '../../src/kinds/llama-server-loop.js';

const line = (pid: number, comm: string, ppid: number, pgid: number, utime = 10, stime = 5, start = 1000, rss = 256, state = 'S') =>
  `${pid} (${comm}) ${state} ${ppid} ${pgid} ${pgid} 0 -1 4194560 100 0 0 0 ${utime} ${stime} 0 0 20 0 1 0 ${start} 12345678 ${rss} 18446744073709551615 1 1 0 0 0 0 0 0 0 0 0 0 17 0 0 0 0 0 0`;

describe('parseProcStat', () => {
  it('splits after the last ")": names with spaces and parentheses', () => {
    const stat = parseProcStat(line(4242, 'PM2 v7.0.4: God (x) )', 1, 4242))!;
    expect(stat).toMatchObject({ pid: 4242, comm: 'PM2 v7.0.4: God (x) )', ppid: 1, pgid: 4242, cpuTicks: 15, startTicks: 1000, rssPages: 256 });
  });
  it('returns null on garbage', () => {
    expect(parseProcStat('nonsense')).toBeNull();
    expect(parseProcStat('12 (x) S 1')).toBeNull();
  });
});

describe('ProcTable', () => {
  const table = new ProcTable([
    parseProcStat(line(10, 'leader', 1, 10))!,
    parseProcStat(line(11, 'child', 10, 10))!,
    parseProcStat(line(12, 'grandchild', 11, 12))!, // left the group
    parseProcStat(line(13, 'zombie', 10, 10, 0, 0, 1, 0, 'Z'))!,
    parseProcStat(line(20, 'orphan in group', 1, 10))!,
    parseProcStat(line(30, 'stranger', 1, 30))!,
  ]);
  it('walks a tree, skipping zombies', () => {
    expect(table.tree(10).sort()).toEqual([10, 11, 12]);
  });
  it('finds group members whose parent died, and their descendants', () => {
    expect(table.groupAndDescendants(10).sort()).toEqual([10, 11, 12, 20]);
    expect(table.groupAndDescendants(-1, [12])).toEqual([12]);
  });
});

describe('listeningInodes', () => {
  it('reads LISTEN sockets on a port from /proc/net/tcp text', () => {
    const text = [
      '  sl  local_address rem_address   st tx_queue rx_queue tr tm->when retrnsmt   uid  timeout inode',
      '   0: 0100007F:1FA6 00000000:0000 0A 00000000:00000000 00:00000000 00000000     0        0 55501 1 0 100 0 0 10 0',
      '   1: 0100007F:1FA6 0100007F:D2F0 01 00000000:00000000 00:00000000 00000000     0        0 55502 1 0 20 4 30 10 -1',
      '   2: 00000000:0050 00000000:0000 0A 00000000:00000000 00:00000000 00000000     0        0 55503 1 0 100 0 0 10 0',
    ].join('\n');
    expect(listeningInodes(text, 8102)).toEqual([55501]);
    expect(listeningInodes(text, 80)).toEqual([55503]);
    expect(listeningInodes(text, 81)).toEqual([]);
  });
});

describe('connectedClients', () => {
  it("lists the clients of a server port, leaving out connections whose client end is one of this process's sockets", () => {
    const text = [
      '  sl  local_address rem_address   st tx_queue rx_queue tr tm->when retrnsmt   uid  timeout inode',
      '   0: 0100007F:1FA6 00000000:0000 0A 00000000:00000000 00:00000000 00000000     0        0 100 1 0 100 0 0 10 0', // the listener
      '   1: 0100007F:1FA6 0100007F:D2F0 01 00000000:00000000 00:00000000 00000000     0        0 101 1 0 20 4 30 10 -1', // server end, a client
      '   2: 0100007F:D2F0 0100007F:1FA6 01 00000000:00000000 00:00000000 00000000     0        0 102 1 0 20 4 30 10 -1', // that client's end
      '   3: 0100007F:1FA6 0100007F:D300 01 00000000:00000000 00:00000000 00000000     0        0 103 1 0 20 4 30 10 -1', // server end, ours
      '   4: 0100007F:D300 0100007F:1FA6 01 00000000:00000000 00:00000000 00000000     0        0 104 1 0 20 4 30 10 -1', // our end (inode 104)
      '   5: 0100007F:1FA6 0100007F:D310 06 00000000:00000000 00:00000000 00000000     0        0 0 1 0 20 4 30 10 -1', // TIME_WAIT
    ].join('\n');
    expect(connectedClients(text, 8102)).toEqual(['0100007F:D2F0', '0100007F:D300']);
    expect(connectedClients(text, 8102, new Set([104]))).toEqual(['0100007F:D2F0']);
    expect(connectedClients(text, 80)).toEqual([]);
  });
});

describe("llama-server's HTTP threads", () => {
  it('--threads-http, else max(np + 2, cores - 1) as build 4748 counts them', () => {
    expect(httpThreads(['llama-server', '-m', 'x.gguf', '--threads-http', '7'], 16)).toBe(7);
    expect(httpThreads(['llama-server', '-m', 'x.gguf'], 2)).toBe(3);
    expect(httpThreads(['llama-server', '-m', 'x.gguf'], 16)).toBe(15);
    expect(httpThreads(['llama-server', '-np', '4'], 2)).toBe(6);
    expect(httpThreads(['llama-server', '--parallel', '8'], 8)).toBe(10);
    expect(httpThreads(null, 4)).toBe(3);
  });
});
