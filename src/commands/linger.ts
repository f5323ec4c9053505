import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';

/** `KillUserProcesses=` in logind.conf text (the last setting wins); null when not set. Pure. */
export function killUserProcessesSetting(texts: string[]): boolean | null {
  let value: boolean | null = null;
  for (const text of texts)
    for (const line of text.split('\n')) {
      const m = /^\s*KillUserProcesses\s*=\s*(\S+)/i.exec(line);
      if (m) value = /^(yes|true|1|on)$/i.test(m[1]!);
    }
  return value;
}

export interface LingerCheck {
  /** logout kills even setsid processes: the stack dies with the last session. */
  atRisk: boolean;
  message: string;
}

/** On systemd machines with KillUserProcesses=yes, logout kills even setsid processes unless lingering is on. */
export function checkLinger(user = os.userInfo().username): LingerCheck | null {
  if (process.platform !== 'linux' || !fs.existsSync('/run/systemd/system')) return null;
  const files = ['/etc/systemd/logind.conf'];
  try {
    for (const f of fs.readdirSync('/etc/systemd/logind.conf.d').sort()) files.push(path.join('/etc/systemd/logind.conf.d', f));
  } catch {
    // no drop-ins
  }
  const texts = files.flatMap((f) => {
    try {
      return [fs.readFileSync(f, 'utf8')];
    } catch {
      return [];
    }
  });
  const kills = killUserProcessesSetting(texts) === true;
  const lingering = fs.existsSync(path.join('/var/lib/systemd/linger', user));
  if (kills && !lingering)
    return { atRisk: true, message: `logind has KillUserProcesses=yes and ${user} does not linger: logging out kills the stack; run: loginctl enable-linger ${user}` };
  return { atRisk: false, message: lingering ? `${user} lingers: services survive logout` : 'logind keeps user processes after logout' };
}
