import { DIR_ROLES, type DaemonPaths } from '../daemon/paths.js';
import { privateDirError, privateDirProblem } from '../daemon/private-dir.js';
import { DaemonClient, type ClientOptions } from './daemon-client.js';

/** Refuses (exit 2) when a directory of `paths` exists and is not ours; with `connected`, the socket's must exist. */
export function assertOwnDirs(paths: DaemonPaths, connected: boolean): void {
  for (const { dir, what } of DIR_ROLES(paths)) {
    const problem = privateDirProblem(dir, !(connected && dir === paths.socketDir));
    if (problem) throw privateDirError(what, dir, problem);
  }
}

/**
 * Connects to the config's daemon only through directories of ours: a socket in a directory another user made
 * first (the `$TMPDIR/llama-top-<uid>` fallback) may be theirs, and would be handed `reload`'s whole config and
 * answer `stop` with a fake success. Checked before (refuse early) and again once connected (a directory made or
 * swapped in between is still caught: its owner cannot become us). Null when no daemon listens.
 */
export async function connectOwnDaemon(paths: DaemonPaths, timeoutMs = 2000, options: ClientOptions = {}): Promise<DaemonClient | null> {
  assertOwnDirs(paths, false);
  const client = await DaemonClient.connect(paths.socket, timeoutMs, options).catch(() => null);
  if (!client) return null;
  try {
    assertOwnDirs(paths, true);
  } catch (error) {
    client.close();
    throw error;
  }
  return client;
}
