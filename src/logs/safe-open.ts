import fs from 'node:fs';
import { LlamaTopError } from '../protocol/errors.js';

const { O_CREAT, O_EXCL, O_NOFOLLOW, O_WRONLY, O_APPEND } = fs.constants;

/**
 * Creates a new log file and returns its descriptor: O_EXCL|O_NOFOLLOW, so nobody who can write into the
 * directory can make us append to a file of their choosing by planting a name or a symlink first.
 */
export function openNewLogFile(file: string): number {
  return fs.openSync(file, O_CREAT | O_EXCL | O_NOFOLLOW | O_WRONLY | O_APPEND, 0o640);
}

/** Opens an existing file of ours for appending, never through a symlink; creates it when missing. */
export function openOwnFileForAppend(file: string): number {
  return fs.openSync(file, O_CREAT | O_NOFOLLOW | O_WRONLY | O_APPEND, 0o600);
}

/**
 * Why `dir` (or the nearest existing ancestor, for one not created yet) is unsafe for our files: owned by another
 * user, or writable by group/others without the sticky bit. Null when it is safe. Pure apart from stat.
 */
export function unsafeDirReason(dir: string, uid = process.getuid?.() ?? -1): string | null {
  if (uid < 0) return null;
  let st: fs.Stats;
  try {
    st = fs.lstatSync(dir);
  } catch {
    return null;
  }
  if (st.isSymbolicLink()) {
    try {
      st = fs.statSync(dir);
    } catch {
      return `${dir} is a dangling symlink`;
    }
  }
  if (!st.isDirectory()) return `${dir} is not a directory`;
  if (st.uid !== uid && st.uid !== 0) return `${dir} is owned by uid ${st.uid}, not by you (uid ${uid})`;
  const sticky = (st.mode & 0o1000) !== 0;
  if ((st.mode & 0o022) !== 0 && !sticky) return `${dir} is writable by ${st.mode & 0o002 ? 'every user' : 'its group'} (mode ${(st.mode & 0o7777).toString(8)})`;
  return null;
}

/** Refuses (exit 2) a directory another user could use to redirect our files; names the fix. */
export function assertSafeDir(dir: string, what: string, madeByUs = false): void {
  const reason = madeByUs ? ownDirProblem(dir) : unsafeDirReason(dir);
  if (reason) throw new LlamaTopError('CONFIG', `${what} ${reason}: another user could redirect llama-top's files`, `use a directory only you can write to, or: chmod go-w ${dir}`);
}

/**
 * A directory llama-top made for itself (a stack's or a service's log directory): it must be a real directory,
 * not a symlink, owned by us and not writable by others. Someone who could write into the parent may have made it
 * first; refuse rather than write into their directory.
 */
export function ownDirProblem(dir: string): string | null {
  try {
    if (fs.lstatSync(dir).isSymbolicLink()) return `${dir} is a symlink, not a directory llama-top made`;
  } catch {
    return null;
  }
  return unsafeDirReason(dir);
}
