import fs from 'node:fs';
import path from 'node:path';
import { unsafeDirReason } from '../logs/safe-open.js';
import { LlamaTopError } from '../protocol/errors.js';

/** The login name of `uid` from /etc/passwd, or null. */
export function userName(uid: number, passwd = '/etc/passwd'): string | null {
  try {
    for (const line of fs.readFileSync(passwd, 'utf8').split('\n')) {
      const [name, , id] = line.split(':');
      if (name && Number(id) === uid && id !== '') return name;
    }
  } catch {
    // no passwd file: the uid alone
  }
  return null;
}

const owner = (uid: number) => ((name) => (name ? `${name} (uid ${uid})` : `uid ${uid}`))(userName(uid));

/**
 * Why `dir` cannot hold our socket, state or token: a symlink, not a directory, or owned by another user (who
 * could read what the daemon says there and answer in its place). Null when it is ours, or absent and `mayBeAbsent`.
 * Root's own directories are trusted, as root is. Pure apart from lstat.
 */
export function privateDirProblem(dir: string, mayBeAbsent: boolean, uid = process.getuid?.() ?? -1): string | null {
  if (uid < 0) return null;
  let st: fs.Stats;
  try {
    st = fs.lstatSync(dir);
  } catch {
    return mayBeAbsent ? null : `${dir} is missing`;
  }
  if (st.isSymbolicLink()) return `${dir} is a symlink (to ${readLink(dir)}), not a directory llama-top made`;
  if (!st.isDirectory()) return `${dir} is not a directory`;
  if (st.uid !== uid && st.uid !== 0) return `${dir} is owned by ${owner(st.uid)}, not by you, ${owner(uid)}`;
  return null;
}

function readLink(file: string): string {
  try {
    return fs.readlinkSync(file);
  } catch {
    return '?';
  }
}

/** The refusal (exit 2) for a directory another user holds: what it is, whose (`problem` names the directory), and what to do. */
export function privateDirError(what: string, dir: string, problem: string): LlamaTopError {
  return new LlamaTopError(
    'CONFIG',
    `${what} ${problem}: another user could read what llama-top keeps or sends there (the resolved config, env included) and answer in the daemon's place`,
    `point ${what === 'the socket directory' ? 'XDG_RUNTIME_DIR (or TMPDIR)' : 'XDG_STATE_HOME'} at a directory only you can write to, or have it removed (rm -r ${dir}, by its owner or root) if nobody should have made it`,
  );
}

/**
 * Creates `dir` (and parents) as 0700, or takes an existing one only when it is ours: made by someone else first (a
 * squatter in /tmp) or a symlink, it is refused. Checked after mkdir, so a squatter racing us still loses: a
 * directory's owner cannot be changed to us. The parent must not let others rename it away (sticky or private).
 */
export function ensurePrivateDir(dir: string, what = 'the directory'): void {
  const parentProblem = unsafeDirReason(path.dirname(dir));
  if (parentProblem) throw privateDirError(what, dir, `${dir} is inside a directory others may change (${parentProblem})`);
  fs.mkdirSync(dir, { recursive: true, mode: 0o700 });
  const problem = privateDirProblem(dir, false);
  if (problem) throw privateDirError(what, dir, problem);
  fs.chmodSync(dir, 0o700);
}
