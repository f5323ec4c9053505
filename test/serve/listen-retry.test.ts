import { describe, expect, it } from 'vitest';
import { parseDaemonArgv } from '../../src/process/daemon-process.js';
import { listenOrWait, PortTakenError, type PortTaken } from '../../src/serve/listen-retry.js';

const inUse = () => Object.assign(new Error('listen EADDRINUSE'), { code: 'EADDRINUSE' });
const daemon: PortTaken = { holder: 'port 8080 is held by pid 7, the llama-top daemon of /a/llama-top.yaml', wait: true, hint: 'stop that daemon' };
const other: PortTaken = { holder: 'port 8080 is in use by pid 9 (python3)', wait: false, hint: 'stop it or change serve.listen' };

describe('listening on a taken serve port', () => {
  it('held by a llama-top daemon on its way out: tries again with a growing backoff until it lets go', async () => {
    let calls = 0;
    const slept: number[] = [];
    let asked = 0;
    const said: string[] = [];
    const result = await listenOrWait(
      async () => {
        if (++calls < 4) throw inUse();
      },
      async () => (asked++, daemon),
      { waitMs: 3000, sleep: async (ms) => void slept.push(ms), waiting: (who, ms) => said.push(`${who.holder}: waiting ${ms}`) },
    );
    expect(said).toEqual(['port 8080 is held by pid 7, the llama-top daemon of /a/llama-top.yaml: waiting 3000']);
    expect(calls).toBe(4);
    expect(asked).toBe(1);
    expect(slept).toEqual([25, 50, 100]);
    expect(result.waitedMs).toBeGreaterThanOrEqual(0);
  });

  it('held by anything else: fails at once, naming the holder and what to do', async () => {
    let calls = 0;
    const failed = await listenOrWait(async () => (calls++, Promise.reject(inUse())), async () => other, { sleep: async () => undefined }).catch((e) => e);
    expect(calls).toBe(1);
    expect(failed).toBeInstanceOf(PortTakenError);
    expect(failed.message).toBe('port 8080 is in use by pid 9 (python3): stop it or change serve.listen');
  });

  it('a daemon that does not let go within the bound: fails, saying how long it waited', async () => {
    const failed = await listenOrWait(() => Promise.reject(inUse()), async () => daemon, { waitMs: 40 }).catch((e) => e);
    expect(failed.message).toMatch(/^port 8080 is held by pid 7, the llama-top daemon of \/a\/llama-top\.yaml \(still held after 0\.\d s\): stop that daemon$/);
  });

  it('another listen error is thrown as it is', async () => {
    const failed = await listenOrWait(() => Promise.reject(Object.assign(new Error('listen EACCES'), { code: 'EACCES' })), async () => daemon).catch((e) => e);
    expect(failed.code).toBe('EACCES');
  });

  it("tells a llama-top daemon's command line", () => {
    expect(parseDaemonArgv(5, ['/usr/bin/node', '--max-old-space-size=64', '/opt/llama-top/dist/daemon/main.js', '--config', '/a/llama-top.yaml', '--resolved', 'x'])).toEqual({ pid: 5, configFile: '/a/llama-top.yaml' });
    expect(parseDaemonArgv(5, ['/usr/bin/python3', '-m', 'http.server', '8080'])).toBeNull();
  });
});
