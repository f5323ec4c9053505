import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { dialCommand, dialSsh, shellQuote, sshArgs, sshFailure } from '../../src/client/ssh-link.js';
import { parseHostsFile } from '../../src/config/hosts-file.js';

describe('the ssh link (pure parts)', () => {
  it('runs dial-stdio with the remote config quoted for the shell there, ~/ left to expand', () => {
    expect(dialCommand({ host: 'box', bin: 'llama-top', config: "/srv/my llm/it's.yaml" }, true)).toBe(`llama-top dial-stdio --config '/srv/my llm/it'\\''s.yaml'`);
    expect(dialCommand({ host: 'box', bin: 'node /opt/lt/bin/llama-top.js', config: '~/llm/llama-top.yaml' }, false)).toBe('node /opt/lt/bin/llama-top.js dial-stdio --config ~/llm/llama-top.yaml --no-start');
    expect(dialCommand({ host: 'box', bin: 'llama-top' }, true)).toBe('llama-top dial-stdio');
    expect(shellQuote('$(reboot)')).toBe("'$(reboot)'");
  });

  it('passes LLAMA_TOP_SSH options first, then keep-alives, the host after --, and the command', () => {
    expect(sshArgs({ host: 'user@gpu', bin: 'llama-top' }, true, { LLAMA_TOP_SSH: 'ssh -F ./cfg -J jump' })).toEqual([
      '-F', './cfg', '-J', 'jump', '-T', '-o', 'ServerAliveInterval=5', '-o', 'ServerAliveCountMax=3', '--', 'user@gpu', 'llama-top dial-stdio',
    ]);
  });

  it("turns ssh's exit into an error a user can act on", () => {
    const target = { host: 'gpu', bin: 'llama-top' };
    expect(sshFailure(target, 255, null, 'ssh: Could not resolve hostname gpu: Name or service not known\n')).toMatchObject({ code: 'UNREACHABLE', message: 'ssh gpu: ssh: Could not resolve hostname gpu: Name or service not known' });
    expect(sshFailure(target, 127, null, 'bash: line 1: llama-top: command not found')!.hint).toMatch(/--remote-bin/);
    expect(sshFailure(target, 2, null, 'llama-top: /x.yaml: config file not found')).toMatchObject({ code: 'CONFIG' });
    expect(sshFailure(target, 4, null, 'llama-top: no daemon runs for /x.yaml')).toBeNull();
  });

  it('reads the hosts file: HOST [CONFIG [COMMAND…]], comments, and errors with file:line', () => {
    expect(parseHostsFile('# the usual boxes\ngpu-1\ngpu-2 ~/llm/llama-top.yaml   # the big one\n\nuser@lab - node /opt/lt/bin/llama-top.js\n', '/h')).toEqual([
      { host: 'gpu-1', bin: 'llama-top' },
      { host: 'gpu-2', bin: 'llama-top', config: '~/llm/llama-top.yaml' },
      { host: 'user@lab', bin: 'node /opt/lt/bin/llama-top.js' },
    ]);
    expect(() => parseHostsFile('a\na\n', '/h')).toThrow('/h:2: a is listed twice');
    expect(() => parseHostsFile('-oProxyCommand=x\n', '/h')).toThrow(/\/h:1: "-oProxyCommand=x" is not a host/);
  });
});

describe('the ssh link (with a stand-in ssh)', () => {
  it('waits for the exit status that follows the end of output: "no daemon" is not lost to a signalled ssh', async () => {
    // sshd sends the remote command's end of output, then its exit status. OpenSSH signalled meanwhile exits 255,
    // which reads as "ssh failed": the link must let ssh finish rather than kill it when the output ends.
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'fake-ssh-'));
    const fakeSsh = path.join(dir, 'ssh.mjs');
    fs.writeFileSync(
      fakeSsh,
      [
        "process.on('SIGTERM', () => process.exit(255));",
        "process.stderr.write('llama-top: no daemon runs for /srv/llama-top.yaml\\n');",
        'process.stdout.end();',
        'setTimeout(() => process.exit(4), 300);',
      ].join('\n'),
    );
    const saved = process.env.LLAMA_TOP_SSH;
    process.env.LLAMA_TOP_SSH = `${process.execPath} ${fakeSsh}`;
    try {
      expect(await dialSsh({ host: 'box', bin: 'llama-top' }, false)).toBeNull();
    } finally {
      if (saved === undefined) delete process.env.LLAMA_TOP_SSH;
      else process.env.LLAMA_TOP_SSH = saved;
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });
});
