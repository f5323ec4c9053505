import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { Containment, stackKey } from '../../src/process/containment.js';
import { environValue, MARKER_VAR } from '../../src/process/marker.js';
import { cleanupAll, fixture, isAlive, llamaServerCommand, makeStack, NODE, REAL_LLAMA_SERVER, TINY_GGUF, waitFor, type Stack } from '../helpers/stack.js';

afterEach(cleanupAll);

/** Can this machine give each service a cgroup (root, or a delegated cgroup2 subtree)? */
const probe = Containment.detect(`probe-${process.pid}`);
const cgroupUsable = probe.mechanism === 'cgroup';
probe.tidy();

/** Live (not zombie) processes whose command line holds `word`. */
function pidsWith(word: string): number[] {
  const out: number[] = [];
  for (const entry of fs.readdirSync('/proc')) {
    if (!/^\d+$/.test(entry) || Number(entry) === process.pid) continue;
    try {
      if (fs.readFileSync(`/proc/${entry}/cmdline`, 'utf8').includes(word) && isAlive(Number(entry))) out.push(Number(entry));
    } catch {
      // gone
    }
  }
  return out;
}

/** Live processes carrying the marker of `service` of this stack (whatever start). */
function markedPids(stack: Stack, service: string): number[] {
  const prefix = `${stackKey(fs.realpathSync(stack.configFile), path.basename(stack.dir))}/${service}/`;
  return fs.readdirSync('/proc').filter((e) => /^\d+$/.test(e)).map(Number).filter((pid) => environValue(pid, MARKER_VAR)?.startsWith(prefix) && isAlive(pid));
}

const portFree = (port: number) => !execFileSync('ss', ['-Htln', `sport = :${port}`], { encoding: 'utf8' }).trim();

describe.each(['cgroup', 'marker'] as const)('a stop leaves nothing behind (containment: %s)', (mechanism) => {
  const skip = mechanism === 'cgroup' && !cgroupUsable;
  const stackWith = async (yaml: (ports: number[], dir: string) => string) => {
    const stack = await makeStack(yaml, 1);
    stack.env.LLAMA_TOP_CONTAINMENT = mechanism;
    return stack;
  };

  it.skipIf(skip)('a daemonizing service (fork, setsid, fork again): its grandchild goes with the stop, the port is free, a new start works; also after kill -9 of the daemon', async () => {
    const tag = `daemonized-${mechanism}-${process.pid}`;
    const stack = await stackWith((ports) => `
services:
  web:
    kind: app
    command: [sh, ${JSON.stringify(fixture('daemonizing-service.sh'))}, ${ports[0]}, ${tag}]
    env: { NODE: ${JSON.stringify(NODE)} }
    port: ${ports[0]}
    health: { http: /health }
    stopTimeout: 3s
`);
    const port = stack.ports[0]!;
    expect((await stack.cli(['start'])).exitCode).toBe(0);
    const status = JSON.parse((await stack.cli(['status', '--json'])).stdout);
    expect(status.containment.mechanism).toBe(mechanism);
    const doctor = JSON.parse((await stack.cli(['doctor', '--json'])).stdout).checks.find((c: { what: string }) => c.what === 'containment');
    expect(doctor).toMatchObject({ level: mechanism === 'cgroup' ? 'ok' : 'warn', detail: expect.stringContaining(mechanism === 'cgroup' ? 'a cgroup v2 per service under' : 'LLAMA_TOP_SERVICE_ID marker') });
    const [server] = pidsWith(tag);
    expect(server).toBeDefined();
    expect(fs.readFileSync(`/proc/${server}/stat`, 'utf8')).toMatch(/\) \S+ 1 /); // reparented to pid 1: no parent chain leads to it

    const stop = await stack.cli(['stop', 'web']);
    expect(stop.exitCode).toBe(0);
    expect(pidsWith(tag)).toEqual([]);
    expect(portFree(port)).toBe(true);
    expect((await stack.cli(['start'])).exitCode).toBe(0); // main said: port … is in use by pid … (node)

    // The daemon dies by kill -9; its successor knows the service's cgroup or marker from state.json.
    const daemonPid = JSON.parse((await stack.cli(['daemon', 'status', '--json'])).stdout).pid as number;
    process.kill(daemonPid, 'SIGKILL');
    await waitFor(() => !isAlive(daemonPid), 'the daemon to die');
    await waitFor(async () => (await stack.status()).find((s) => s.name === 'web' && s.state === 'ready'), 'the new daemon to adopt web, ready');
    expect(pidsWith(tag)).toHaveLength(1);
    expect((await stack.cli(['stop'])).exitCode).toBe(0);
    expect(pidsWith(tag)).toEqual([]);
    expect(portFree(port)).toBe(true);
  });

  it.skipIf(skip)('a fork loop whose children setsid() and ignore SIGTERM: nothing survives a stop, 3 runs', async () => {
    const tag = `forkloop-${mechanism}-${process.pid}`;
    const stack = await stackWith(() => `
services:
  loop:
    kind: process
    command: [sh, ${JSON.stringify(fixture('fork-loop.sh'))}, ${tag}, "0.03"]
    readyAfter: 100ms
    stopTimeout: 1s
`);
    for (let run = 1; run <= 3; run++) {
      expect((await stack.cli(['start', 'loop'])).exitCode).toBe(0);
      await waitFor(() => pidsWith(`fork-loop-child-${tag}`).length >= 20, `run ${run}: 20 children forked`, 30_000);
      const stop = await stack.cli(['stop', 'loop']);
      expect(stop.exitCode, stop.stderr).toBe(0);
      expect({ run, survivors: pidsWith(tag), marked: markedPids(stack, 'loop') }).toEqual({ run, survivors: [], marked: [] });
    }
  });

  it.skipIf(skip)(`a SIGSTOPped ${REAL_LLAMA_SERVER ? 'llama-server (real)' : 'llama-server (fixture)'} stops on its SIGTERM, far within stopTimeout`, async () => {
    const stack = await stackWith((ports, dir) => {
      fs.copyFileSync(TINY_GGUF, path.join(dir, 'tiny.gguf'));
      return `
services:
  llama:
    kind: llama-server
    command: ${JSON.stringify(llamaServerCommand())}
    model: ./tiny.gguf
    port: ${ports[0]}
    stopTimeout: 10s
    startTimeout: 60s
`;
    });
    expect((await stack.cli(['start'])).exitCode).toBe(0);
    const pid = (await stack.status())[0]!.pid as number;
    process.kill(pid, 'SIGSTOP');
    await waitFor(() => / T /.test(fs.readFileSync(`/proc/${pid}/stat`, 'utf8').slice(fs.readFileSync(`/proc/${pid}/stat`, 'utf8').lastIndexOf(')'))), 'the server to be stopped');
    const began = Date.now();
    const stop = await stack.cli(['stop']);
    const took = Date.now() - began;
    expect(stop.exitCode).toBe(0);
    expect(isAlive(pid)).toBe(false);
    expect(took).toBeLessThan(5000); // without SIGCONT: 10 s (stopTimeout) and a SIGKILL
  });
});
