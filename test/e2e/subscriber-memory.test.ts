import fs from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { cleanupAll, fixture, makeStack, NODE, waitFor } from '../helpers/stack.js';

afterEach(cleanupAll);

const rssMb = (pid: number): number => Number(/VmRSS:\s+(\d+) kB/.exec(fs.readFileSync(`/proc/${pid}/status`, 'utf8'))![1]) / 1024;

/** How many sockets the process holds open. */
const socketFds = (pid: number): number =>
  fs.readdirSync(`/proc/${pid}/fd`).filter((fd) => {
    try {
      return fs.readlinkSync(`/proc/${pid}/fd/${fd}`).startsWith('socket:');
    } catch {
      return false;
    }
  }).length;

/** A `logs -f | less` that was paused: asks to follow, then never reads a byte. */
function pausedFollower(socketPath: string, service: string): Promise<net.Socket> {
  return new Promise((resolve, reject) => {
    const socket = net.connect(socketPath, () => {
      socket.write(`${JSON.stringify({ id: 1, type: 'logs-follow', names: [service], times: false })}\n`);
      socket.pause();
      resolve(socket);
    });
    socket.on('error', reject);
  });
}

describe('subscribers that never read', () => {
  it('40 paused log followers under a 40 MB flood keep the daemon small: the slowest are dropped', async () => {
    const gate = path.join(os.tmpdir(), `subscriber-gate-${process.pid}-${Date.now()}`);
    // 400,000 lines of 100 bytes, 20,000 every 20 ms once the gate opens; each follower would be sent all 40 MB.
    const stack = await makeStack(() => `
services:
  flood:
    kind: process
    command: [${JSON.stringify(NODE)}, ${JSON.stringify(fixture('flood.mjs'))}, "400000", "20", "20000", "100", "1", ${JSON.stringify(gate)}]
    readyAfter: 100ms
`, 0);
    try {
      expect((await stack.cli(['start', 'flood'])).exitCode).toBe(0);
      const info = JSON.parse((await stack.cli(['daemon', 'status', '--json'])).stdout) as { pid: number; socket: string };
      const [flood] = await stack.status();
      const socketsBefore = socketFds(info.pid);
      const followers = await Promise.all(Array.from({ length: 40 }, () => pausedFollower(info.socket, 'flood')));
      const before = rssMb(info.pid);
      let peak = before;
      const sampler = setInterval(() => (peak = Math.max(peak, rssMb(info.pid))), 20);
      try {
        fs.writeFileSync(gate, '');
        await waitFor(() => fs.readFileSync(fs.readdirSync(flood!.logDir).map((f) => path.join(flood!.logDir, f)).filter((f) => f.endsWith('.log')).sort().at(-1)!, 'utf8').includes('flood: wrote'), 'the flood to finish', 120_000);
        // Followers are dropped, the slowest first, as the budget runs out; those left hold little.
        await waitFor(() => socketFds(info.pid) < socketsBefore + followers.length, 'the daemon to drop paused followers', 60_000);
        await new Promise((resolve) => setTimeout(resolve, 2000)); // the followers left get what the flood wrote last (their peak, sampled)
      } finally {
        clearInterval(sampler);
      }
      for (const f of followers) f.destroy();
      // The old code queued up to 8 MB per follower: 40 took the daemon from 48 MB to 408 MB here.
      expect(peak - before, `peak ${peak.toFixed(0)} MB from ${before.toFixed(0)} MB`).toBeLessThan(100);
      console.log(`daemon RSS: ${before.toFixed(0)} MB before, peak ${peak.toFixed(0)} MB`);
    } finally {
      fs.rmSync(gate, { force: true });
    }
  }, 300_000);
});
