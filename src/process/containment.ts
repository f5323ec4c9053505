import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { cgroup2Mount, cgroupPids, exists, isPopulated, joinAndExec, ownCgroup, removeCgroup } from './cgroup.js';
import { markerId, MARKER_VAR } from './marker.js';
import type { ContainmentInfo } from '../protocol/status.js';

/**
 * How a service's processes stay findable after they leave its process group and lose their parent (a daemonizing
 * app double-forks and setsid()s): a cgroup v2 of its own where one can be created, else a marker in the
 * environment. Saved in state.json with the service, so a new daemon finds them too.
 */
export type Jail =
  | { kind: 'cgroup'; /** the cgroup directory of this start */ path: string; /** the marker id, also set */ id: string }
  | { kind: 'marker'; id: string };

export type Mechanism = Jail['kind'];


export const ESCAPES: Record<Mechanism, string> = {
  cgroup: 'nothing a service can do by accident: every process it forks stays in its cgroup (only a process with write access to a cgroup.procs outside it, such as root, can move out)',
  marker:
    'a process that replaces its whole environment (env -i, or exec with a new environment) and leaves both the process group and the parent chain (double fork + setsid); and processes of another user',
};

/** The stack's key in cgroup paths and markers: the config's directory name and a hash of its path. Pure. */
export function stackKey(configFile: string, name: string): string {
  const label = name.replace(/[^A-Za-z0-9._-]/g, '_').slice(0, 32) || 'stack';
  return `${label}-${createHash('sha256').update(configFile).digest('hex').slice(0, 12)}`;
}

/**
 * Can processes be put into cgroups under `root`? Creates `root`, then moves a short-lived shell into a probe
 * cgroup below it (the same way services join theirs). Returns null when it works, else the reason.
 */
function cgroupProblem(root: string): string | null {
  const probe = path.join(root, `.probe-${process.pid}`);
  try {
    fs.mkdirSync(probe, { recursive: true });
  } catch (error) {
    return `cannot create ${probe}: ${(error as NodeJS.ErrnoException).code ?? (error as Error).message}`;
  }
  try {
    execFileSync(joinAndExec(probe, ['true'])[0]!, joinAndExec(probe, ['true']).slice(1), { stdio: 'ignore', timeout: 5000 });
    return null;
  } catch {
    return `cannot move a process into ${probe} (no write access to the cgroup.procs of a common ancestor)`;
  } finally {
    removeCgroup(probe);
  }
}

/** Where this user may create cgroups: LLAMA_TOP_CGROUP_ROOT, the top of the hierarchy (root), below our own cgroup (a delegated subtree). */
function cgroupCandidates(env: NodeJS.ProcessEnv): string[] {
  if (env.LLAMA_TOP_CGROUP_ROOT) return [env.LLAMA_TOP_CGROUP_ROOT];
  const mount = cgroup2Mount();
  if (!mount) return [];
  const own = ownCgroup();
  const out = [path.join(mount, 'llama-top')];
  if (own && own !== '/') out.push(path.join(mount, own, 'llama-top'));
  return out;
}

export class Containment {
  private constructor(
    readonly mechanism: Mechanism,
    /** This stack's cgroup directory (cgroup only). */
    readonly stackDir: string | null,
    readonly stack: string,
    private readonly why: string,
  ) {}

  /**
   * Picks the mechanism: LLAMA_TOP_CONTAINMENT=cgroup|marker forces one (tests; marker also where a cgroup
   * manager objects to ours), else a cgroup where one can be made, else the marker.
   */
  static detect(stack: string, env: NodeJS.ProcessEnv = process.env): Containment {
    const wanted = env.LLAMA_TOP_CONTAINMENT;
    if (wanted === 'marker') return new Containment('marker', null, stack, 'LLAMA_TOP_CONTAINMENT=marker');
    if (process.platform !== 'linux') return new Containment('marker', null, stack, 'no cgroups on this system');
    const problems: string[] = [];
    for (const root of cgroupCandidates(env)) {
      const dir = path.join(root, stack);
      const problem = cgroupProblem(dir);
      if (!problem) return new Containment('cgroup', dir, stack, dir);
      problems.push(problem);
    }
    const why = problems.length ? problems.join('; ') : 'no cgroup2 hierarchy is mounted';
    return new Containment('marker', null, stack, `${wanted === 'cgroup' ? 'LLAMA_TOP_CONTAINMENT=cgroup asked, but ' : ''}${why}`);
  }

  info(): ContainmentInfo {
    return {
      mechanism: this.mechanism,
      detail: this.mechanism === 'cgroup' ? `a cgroup v2 per service under ${this.stackDir}` : `a ${MARKER_VAR} marker per service start, found in /proc/PID/environ (no cgroup: ${this.why})`,
      escapes: ESCAPES[this.mechanism],
    };
  }

  /** A new jail for one start of `service` (its cgroup is created now). */
  open(service: string, startMs = Date.now()): Jail {
    const id = markerId(this.stack, service, startMs);
    if (this.mechanism !== 'cgroup') return { kind: 'marker', id };
    const dir = path.join(this.stackDir!, `${service}.${startMs}`);
    try {
      fs.mkdirSync(dir);
      return { kind: 'cgroup', path: dir, id };
    } catch {
      return { kind: 'marker', id }; // the hierarchy changed under us: the marker still holds
    }
  }

  /** The spawn of a jailed service: the argv (joining its cgroup first) and the environment carrying its marker. */
  static wrap(jail: Jail | null, argv: string[], env: Record<string, string>): { argv: string[]; env: Record<string, string> } {
    if (!jail) return { argv, env };
    return { argv: jail.kind === 'cgroup' ? joinAndExec(jail.path, argv) : argv, env: { ...env, [MARKER_VAR]: jail.id } };
  }

  /**
   * Populated cgroups this stack left for `service` (newest first), e.g. started while state.json could not be
   * written. Only under our own stack directory, so only what this stack started.
   */
  leftoverCgroups(service: string, also: string[] = []): string[] {
    const dirs = new Set<string>(also.map((p) => path.dirname(p)));
    if (this.stackDir) dirs.add(this.stackDir);
    const out: Array<{ dir: string; at: number }> = [];
    for (const dir of dirs) {
      let entries: string[] = [];
      try {
        entries = fs.readdirSync(dir);
      } catch {
        continue;
      }
      for (const entry of entries) {
        const m = /^(.+)\.(\d+)$/.exec(entry);
        if (m && m[1] === service && isPopulated(path.join(dir, entry))) out.push({ dir: path.join(dir, entry), at: Number(m[2]) });
      }
    }
    return out.sort((a, b) => b.at - a.at).map((c) => c.dir);
  }

  /** Removes this stack's cgroups that are empty (a stop removes its own; this sweeps what a crash of ours left), and its directory once empty. */
  tidy(): void {
    if (!this.stackDir) return;
    let entries: string[] = [];
    try {
      entries = fs.readdirSync(this.stackDir);
    } catch {
      return;
    }
    for (const entry of entries) {
      const dir = path.join(this.stackDir, entry);
      if (/^.+\.\d+$/.test(entry) && exists(dir) && !isPopulated(dir) && cgroupPids(dir).length === 0) removeCgroup(dir);
    }
    removeCgroup(this.stackDir); // only once empty: a stack with services running keeps its directory
  }
}
