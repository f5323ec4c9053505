import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { StackConfig } from '../config/types.js';
import { LlamaTopError } from '../protocol/errors.js';
import type { CommandContext } from './context.js';
import { checkLinger } from './linger.js';

const BIN = fileURLToPath(new URL('../../bin/llama-top.js', import.meta.url));
const unitName = (config: StackConfig) => `llama-top-${config.name.replace(/[^A-Za-z0-9._-]/g, '-')}`;

/** A systemd user unit running the foreground supervisor (`--headless`) for this config. Pure. */
export function systemdUnit(config: StackConfig, node: string, bin: string, envPath: string): string {
  const stopSeconds = Math.ceil(Math.max(...config.services.map((s) => s.stopTimeoutMs), 10_000) / 1000) + 5;
  return `[Unit]
Description=llama-top: ${config.name} (${config.file})
After=network-online.target

[Service]
Type=simple
ExecStart="${node}" "${bin}" --headless --config "${config.file}"
WorkingDirectory="${config.dir}"
Environment="PATH=${envPath}"
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
export function launchdPlist(config: StackConfig, node: string, bin: string, envPath: string, label: string): string {
  const esc = (s: string) => s.replace(/&/g, '&amp;').replace(/</g, '&lt;');
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
</dict>
</plist>
`;
}

/** `service install [--force]`: a systemd user unit (or launchd agent) that starts the stack at boot/login. */
export async function serviceCommand(ctx: CommandContext): Promise<number> {
  const [action] = ctx.args;
  if (action !== 'install') throw new LlamaTopError('USAGE', `unknown service action "${action ?? ''}": use llama-top service install [--force]`);
  const config = await ctx.config();
  const envPath = process.env.PATH ?? '/usr/local/bin:/usr/bin:/bin';
  const mac = process.platform === 'darwin';
  const name = unitName(config);
  const file = mac
    ? path.join(os.homedir(), 'Library', 'LaunchAgents', `dev.${name}.plist`)
    : path.join(process.env.XDG_CONFIG_HOME ?? path.join(os.homedir(), '.config'), 'systemd', 'user', `${name}.service`);
  if (fs.existsSync(file) && !ctx.flags.force) throw new LlamaTopError('USAGE', `${file} already exists: not overwriting it`, 'use --force to replace it');
  fs.mkdirSync(path.dirname(file), { recursive: true });
  fs.writeFileSync(file, mac ? launchdPlist(config, process.execPath, BIN, envPath, `dev.${name}`) : systemdUnit(config, process.execPath, BIN, envPath));
  const linger = checkLinger();
  if (ctx.flags.json) {
    ctx.out(JSON.stringify({ file, unit: mac ? `dev.${name}` : `${name}.service`, lingerWarning: linger?.atRisk ? linger.message : null }));
    return 0;
  }
  ctx.out(`wrote ${file}`);
  ctx.out(mac ? `next: launchctl load -w ${file}` : `next: systemctl --user daemon-reload && systemctl --user enable --now ${name}.service`);
  ctx.out('  (run `llama-top daemon stop` first if a daemon already supervises this stack: the unit runs its own)');
  if (linger?.atRisk) ctx.err(`warning: ${linger.message}`);
  return 0;
}
