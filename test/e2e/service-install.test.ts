import { execFileSync, spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { launchdPlist } from '../../src/commands/service-install.js';
import type { StackConfig } from '../../src/config/types.js';
import { execa } from 'execa';
import { cleanupAll, CLI, makeStack, NODE } from '../helpers/stack.js';

afterEach(cleanupAll);

const has = (cmd: string, args: string[]) => spawnSync(cmd, args, { stdio: 'ignore' }).status === 0;
const systemdAnalyze = has('systemd-analyze', ['--version']);
const python = has('python3', ['-c', 'import plistlib']);

/** A stack in a directory whose name has a space, a % and a $: every one of them needs escaping in a unit. */
async function oddlyNamedStack() {
  const stack = await makeStack(() => 'name: odd stack\nservices:\n  w: { kind: process, command: [sleep, "1000"] }\n', 0);
  const odd = path.join(stack.dir, 'my 100% $HOME stack');
  fs.mkdirSync(odd);
  fs.renameSync(stack.configFile, path.join(odd, 'llama-top.yaml'));
  const configFile = path.join(odd, 'llama-top.yaml');
  const env = { ...stack.env, XDG_CONFIG_HOME: path.join(stack.dir, 'xdg-config') };
  const cli = async (args: string[]) => {
    const run = await execa(NODE, [CLI, ...args, '--config', configFile], { env, reject: false, stdin: 'ignore' });
    return { exitCode: run.exitCode, stdout: String(run.stdout), stderr: String(run.stderr) };
  };
  return { cli, env };
}

describe('service install', () => {
  it.skipIf(!systemdAnalyze)('writes a user unit that systemd-analyze verify accepts (needs the Debian package systemd), and says how to enable it and linger', async () => {
    const stack = await oddlyNamedStack();
    const run = await stack.cli(['service', 'install']);
    expect(run.exitCode).toBe(0);
    const unit = path.join(stack.env.XDG_CONFIG_HOME, 'systemd', 'user', 'llama-top-odd-stack.service');
    expect(run.stdout).toContain(`wrote ${unit}`);
    expect(run.stdout).toMatch(/enable and start it: systemctl --user daemon-reload && systemctl --user enable --now llama-top-odd-stack\.service/);
    expect(run.stdout).toMatch(/loginctl enable-linger \S+/);
    const text = fs.readFileSync(unit, 'utf8');
    expect(text).toMatch(/^WorkingDirectory=\/.*my 100%% \$HOME stack$/m);
    const verify = spawnSync('systemd-analyze', ['verify', unit], { encoding: 'utf8' });
    expect(verify.stderr).not.toMatch(/will not be started|bad unit file setting|not absolute/);
    expect(verify.status).toBe(0);
    expect(text).toMatch(/^ExecStart=".*" ".*llama-top\.js" "--headless" "--config" ".*my 100%% \$\$HOME stack\/llama-top\.yaml"$/m);
  });

  it('service alone prints its usage and exits 2; an unknown action says what to run', async () => {
    const stack = await oddlyNamedStack();
    const bare = await stack.cli(['service']);
    expect(bare.exitCode).toBe(2);
    expect(bare.stderr).toBe('llama-top: usage: llama-top service install (see llama-top service --help)');
    const unknown = await stack.cli(['service', 'uninstall']);
    expect(unknown.exitCode).toBe(2);
    expect(unknown.stderr).toBe('llama-top: unknown service action "uninstall": use llama-top service install (see llama-top service --help)');
  });

  it.skipIf(!python)('the launchd agent parses as a plist with Label, ProgramArguments, RunAtLoad, KeepAlive and log paths', () => {
    const config = { name: 'odd <stack>', file: '/Users/me/my & stack/llama-top.yaml', dir: '/Users/me/my & stack', services: [] } as unknown as StackConfig;
    const text = launchdPlist(config, NODE, '/opt/llama-top/bin/llama-top.js', '/usr/bin:/bin', 'dev.llama-top-odd', '/Users/me/.local/state/llama-top/x/launchd.log');
    const json = execFileSync('python3', ['-c', 'import json, plistlib, sys; print(json.dumps(plistlib.loads(sys.stdin.buffer.read())))'], { input: text, encoding: 'utf8' });
    expect(JSON.parse(json)).toEqual({
      Label: 'dev.llama-top-odd',
      ProgramArguments: [NODE, '/opt/llama-top/bin/llama-top.js', '--headless', '--config', '/Users/me/my & stack/llama-top.yaml'],
      WorkingDirectory: '/Users/me/my & stack',
      EnvironmentVariables: { PATH: '/usr/bin:/bin' },
      RunAtLoad: true,
      KeepAlive: true,
      StandardOutPath: '/Users/me/.local/state/llama-top/x/launchd.log',
      StandardErrorPath: '/Users/me/.local/state/llama-top/x/launchd.log',
    });
  });
});
