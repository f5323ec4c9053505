import { cgroupPids, exists, isFrozen, isPopulated, killAll, removeCgroup, setFrozen } from './cgroup.js';

export interface CgroupStopOptions {
  /** Time between SIGTERM and the kill; 0 = kill at once (force-stop). */
  timeoutMs: number;
  pollMs?: number;
  /** Asked while waiting out `timeoutMs`: true skips the rest of the wait (a force-stop came in). */
  shouldForce?: () => boolean;
}

export interface CgroupStopOutcome {
  /** The kill was needed. */
  killed: boolean;
  /** Pids that were sent SIGTERM. */
  signalled: number[];
  /** The cgroup could be removed (false: something we may not kill holds it, e.g. it was moved in by root). */
  removed: boolean;
}

const delay = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

const signal = (pids: number[], sig: NodeJS.Signals) => {
  for (const pid of pids) {
    try {
      process.kill(pid, sig);
    } catch {
      // already gone
    }
  }
};

/** Waits until the cgroup is frozen (bounded: a task in an uninterruptible sleep delays it). */
async function frozen(dir: string, pollMs: number): Promise<void> {
  const deadline = Date.now() + 1000;
  while (!isFrozen(dir) && Date.now() < deadline) await delay(Math.min(pollMs, 10));
}

/**
 * Stops every process of a service's cgroup: freeze (so the list signalled is complete and nothing forks past it),
 * SIGTERM + SIGCONT each process, thaw, wait `timeoutMs` for the cgroup to empty, then kill all at once with
 * cgroup.kill (or, on kernels before 5.14, SIGKILL each process of the frozen cgroup until it is empty). Done when
 * no process is left in it and it is removed. Every process signalled is in the cgroup: ours by construction.
 */
export async function stopCgroup(dir: string, options: CgroupStopOptions): Promise<CgroupStopOutcome> {
  const pollMs = options.pollMs ?? 50;
  if (!exists(dir)) return { killed: false, signalled: [], removed: true };
  let signalled: number[] = [];
  const waitEmpty = async (deadline: number, force: boolean) => {
    while (Date.now() < deadline && (force || !options.shouldForce?.())) {
      if (!isPopulated(dir)) return true;
      await delay(pollMs);
    }
    return !isPopulated(dir);
  };
  if (options.timeoutMs > 0 && isPopulated(dir)) {
    const canFreeze = setFrozen(dir, true);
    if (canFreeze) await frozen(dir, pollMs);
    signalled = cgroupPids(dir);
    signal(signalled, 'SIGTERM');
    // A stopped (SIGSTOP, Ctrl-Z) process would sit on its SIGTERM until the kill: let it handle it now.
    signal(signalled, 'SIGCONT');
    if (canFreeze) setFrozen(dir, false);
    if (await waitEmpty(Date.now() + options.timeoutMs, false)) return { killed: false, signalled, removed: await removeAfterEmpty(dir) };
  }
  let killed = false;
  const giveUpAt = Date.now() + 10_000;
  while (isPopulated(dir) && Date.now() < giveUpAt) {
    killed = true;
    if (!killAll(dir)) {
      // No cgroup.kill: freeze so nothing forks between the listing and the kill (SIGKILL reaches frozen tasks).
      setFrozen(dir, true);
      signal(cgroupPids(dir), 'SIGKILL');
    }
    await waitEmpty(Date.now() + 1000, true);
  }
  setFrozen(dir, false);
  return { killed, signalled, removed: await removeAfterEmpty(dir) };
}

/** rmdir right after the last task exits can meet EBUSY for a moment: a few tries. */
async function removeAfterEmpty(dir: string): Promise<boolean> {
  for (let i = 0; i < 20; i++) {
    if (!isPopulated(dir) && removeCgroup(dir)) return true;
    await delay(10);
  }
  return false;
}
