import fs from 'node:fs';

/** A llama-top daemon process: the config it runs. */
export interface DaemonProcess {
  pid: number;
  configFile: string;
}

/**
 * Is `pid` a llama-top daemon of this user (`node …/daemon/main.js --config FILE`)? Its config when it is, else
 * null (another program, another user's, or gone). Reads /proc (Linux); null elsewhere.
 */
export function llamaTopDaemon(pid: number, uid = process.getuid?.() ?? -1): DaemonProcess | null {
  try {
    if (fs.statSync(`/proc/${pid}`).uid !== uid) return null;
    return parseDaemonArgv(pid, fs.readFileSync(`/proc/${pid}/cmdline`, 'utf8').split('\0'));
  } catch {
    return null;
  }
}

/** The config of a daemon's command line, or null when it is no llama-top daemon's. Pure. */
export function parseDaemonArgv(pid: number, argv: string[]): DaemonProcess | null {
  const main = argv.findIndex((a) => /[/\\]daemon[/\\]main\.js$/.test(a));
  const at = argv.indexOf('--config', main);
  if (main === -1 || at === -1 || !argv[at + 1]) return null;
  return { pid, configFile: argv[at + 1]! };
}
