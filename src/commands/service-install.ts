import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { StackConfig } from '../config/types.js';
import { LlamaTopError } from '../protocol/errors.js';
import { localPaths, type CommandContext } from './context.js';
import { checkLinger } from './linger.js';

const BIN = fileURLToPath(new URL('../../bin/llama-top.js', import.meta.url));
const unitName = (config: StackConfig) => `llama-top-${config.name.replace(/[^A-Za-z0-9._-]/g, '-')}`;

/** A double-quoted systemd value with its specifier (%) characters escaped. Pure. */
const systemdQuoted = (value: string) => `"${value.replace(/\\/g, '\\\\').replace(/"/g, '\\"').replace(/%/g, '%%')}"`;

/** One ExecStart= word: quoted, and `$` doubled (ExecStart= expands variables, Environment= does not). Pure. */
export const systemdWord = (word: string) => systemdQuoted(word.replace(/\$/g, '$$$$'));

/** A path setting (WorkingDirectory=): no quotes allowed there, spaces are fine, % is a specifier. Pure. */
const systemdPath = (value: string) => value.replace(/%/g, '%%');

/** A systemd user unit running the foreground supervisor (`--headless`) for this config. Pure. */
export function systemdUnit(config: StackConfig, node: string, bin: string, envPath: string): string {
  const stopSeconds = Math.ceil(Math.max(...config.services.map((s) => s.stopTimeoutMs), 10_000) / 1000) + 5;
  const oneLine = (text: string) => text.replace(/[\r\n]+/g, ' ').replace(/%/g, '%%');
  return `[Unit]
Description=llama-top: ${oneLine(config.name)} (${oneLine(config.file)})
After=network-online.target

[Service]
Type=simple
ExecStart=${[node, bin, '--headless', '--config', config.file].map(systemdWord).join(' ')}
WorkingDirectory=${systemdPath(config.dir)}
Environment=${systemdQuoted(`PATH=${envPath}`)}
# SIGTERM to llama-top only: it stops the services itself, each within its stopTimeout.
KillMode=mixed
TimeoutStopSec=${stopSeconds}
Restart=on-failure
RestartSec=2

[Install]
WantedBy=default.target
`;
}

/** A launchd agent doing the same on macOS. Pure. */
export function launchdPlist(config: StackConfig, node: string, bin: string, envPath: string, label: string, logDir: string): string {
  const esc = (s: string) => s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
  return `<?xml version="1.0" encoding="UTF-8"?>
<!DOCTYPE plist PUBLIC "-//Apple//DTD PLIST 1.0//EN" "http://www.apple.com/DTDs/PropertyList-1.0.dtd">
<plist version="1.0">
<dict>
  <key>Label</key><string>${esc(label)}</string>
  <key>ProgramArguments</key>
  <array><string>${esc(node)}</string><string>${esc(bin)}</string><string>--headless</string><string>--config</string><string>${esc(config.file)}</string></array>
  <key>WorkingDirectory</key><string>${esc(config.dir)}</string>
  <key>EnvironmentVariables</key><dict><key>PATH</key><string>${esc(envPath)}</string></dict>
  <key>RunAtLoad</key><true/>
  <key>KeepAlive</key><true/>
  <key>StandardOutPath</key><string>${esc(logDir)}</string>
  <key>StandardErrorPath</key><string>${esc(logDir)}</string>
</dict>
</plist>
`;
}

/** `service install [--force]`: a systemd user unit (or launchd agent) that starts the stack at boot/login. */
export async function serviceCommand(ctx: CommandContext): Promise<number> {
  // The action (install) was checked with the command line (cli/parse.ts).
  const config = await ctx.config();
  const envPath = process.env.PATH ?? '/usr/local/bin:/usr/bin:/bin';
  const mac = process.platform === 'darwin';
  const name = unitName(config);
  const file = mac
    ? path.join(os.homedir(), 'Library', 'LaunchAgents', `dev.${name}.plist`)
    : path.join(process.env.XDG_CONFIG_HOME ?? path.join(os.homedir(), '.config'), 'systemd', 'user', `${name}.service`);
  if (fs.existsSync(file) && !ctx.flags.force) throw new LlamaTopError('USAGE', `${file} already exists: not overwriting it`, 'use --force to replace it');
  fs.mkdirSync(path.dirname(file), { recursive: true });
  const logDir = path.join(localPaths(ctx).stateDir, 'launchd.log');
  fs.writeFileSync(file, mac ? launchdPlist(config, process.execPath, BIN, envPath, `dev.${name}`, logDir) : systemdUnit(config, process.execPath, BIN, envPath));
  const linger = checkLinger();
  const user = os.userInfo().username;
  const enable = mac ? `launchctl load -w ${file}` : `systemctl --user daemon-reload && systemctl --user enable --now ${name}.service`;
  if (ctx.flags.json) {
    ctx.out(JSON.stringify({ file, unit: mac ? `dev.${name}` : `${name}.service`, enable, lingerWarning: linger?.atRisk ? linger.message : null }));
    return 0;
  }
  ctx.out(`wrote ${file}`);
  ctx.out(`enable and start it: ${enable}`);
  if (!mac) ctx.out(`to start it at boot, before you log in: loginctl enable-linger ${user} (a user unit otherwise starts at your first login and stops at your last logout)`);
  ctx.out('  (run `llama-top daemon stop` first if a daemon already supervises this stack: the unit runs its own)');
  if (linger?.atRisk) ctx.err(`warning: ${linger.message}`);
  return 0;
}
