import { processStartTicks } from './proc-table.js';

/** A process we started: its pid alone is not enough, since pids are reused. */
export interface ProcessIdentity {
  pid: number;
  startTicks: number;
}

export function identify(pid: number): ProcessIdentity | null {
  const startTicks = processStartTicks(pid);
  return startTicks === null ? null : { pid, startTicks };
}

/** True only while the very process we recorded is alive. */
export function isSameProcess(identity: ProcessIdentity): boolean {
  return processStartTicks(identity.pid) === identity.startTicks;
}
