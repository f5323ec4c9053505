import fs from 'node:fs';
import type { StackConfig } from '../config/types.js';
import { errorMessage, isLlamaTopError } from '../protocol/errors.js';
import { Daemon } from './daemon.js';
import { daemonPaths } from './paths.js';
import { DaemonLog, stdoutLog } from './daemon-log.js';

/** Composition root of the daemon process. `foreground`: the `--headless` supervisor for systemd and containers. */
export async function runDaemon(configFile: string, foreground: boolean, resolvedFile?: string): Promise<number> {
  const paths = daemonPaths(configFile);
  const log = foreground ? stdoutLog : ((daemonLog) => (line: string) => daemonLog.write(line))(new DaemonLog(paths.daemonLog));
  let daemon: Daemon;
  try {
    const config = resolvedFile ? (JSON.parse(fs.readFileSync(resolvedFile, 'utf8')) as StackConfig) : await parseConfig(configFile);
    daemon = new Daemon({ config, paths, log, foreground });
    await daemon.start();
  } catch (error) {
    log(`llama-top daemon: ${errorMessage(error)}`);
    return isLlamaTopError(error) ? error.exitCode : 1;
  }
  const exited = new Promise<number>((resolve) => (daemon.onExit = () => resolve(0)));
  // Detached, we have no terminal; a stray SIGHUP (e.g. from a foreground run's tty) must not kill us.
  process.on('SIGHUP', () => log('ignoring SIGHUP'));
  process.on('SIGTERM', () => void daemon.shutdown(foreground, 'SIGTERM'));
  process.on('SIGINT', () => void daemon.shutdown(foreground, 'SIGINT'));
  process.on('uncaughtException', (error) => log(`internal error (daemon keeps running): ${error.stack ?? error.message}`));
  process.on('unhandledRejection', (error) => log(`internal error (daemon keeps running): ${errorMessage(error)}`));
  if (foreground) {
    const outcomes = await daemon.supervisor.start(daemon.supervisor.config.services.filter((s) => s.autostart).map((s) => s.name));
    for (const o of outcomes) log(o.ok ? `${o.name}: ready in ${(o.elapsedMs / 1000).toFixed(1)}s` : `${o.name}: not ready: ${o.error}`);
  }
  return exited;
}

async function parseConfig(configFile: string): Promise<StackConfig> {
  const { loadConfig } = await import('../config/load.js');
  return loadConfig(configFile, (file) => daemonPaths(file).logsDir);
}

const isEntry = process.argv[1] && import.meta.url.endsWith(process.argv[1].replace(/\\/g, '/'));
if (isEntry) {
  const configIndex = process.argv.indexOf('--config');
  const configFile = configIndex > 0 ? process.argv[configIndex + 1] : undefined;
  if (!configFile) {
    process.stderr.write('usage: daemon/main.js --config FILE [--foreground]\n');
    process.exit(2);
  }
  const resolvedIndex = process.argv.indexOf('--resolved');
  const resolved = resolvedIndex > 0 ? process.argv[resolvedIndex + 1] : undefined;
  runDaemon(configFile, process.argv.includes('--foreground'), resolved).then((code) => process.exit(code));
}
