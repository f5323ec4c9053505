import type { StackEventName } from '../protocol/journal.js';
import type { ServiceRuntime } from './machine.js';

export interface DerivedEvent {
  event: StackEventName;
  reason: string | null;
}

/** A crash whose cause is a full disk (the runner says so in the exit's reason). */
const DISK_FULL = /\bENOSPC\b|disk holding its logs is full/;

/**
 * The named events one transition of a service's lifecycle is, so that notifications, the journal and MCP agree
 * on what a `crash` or a `gave-up` is. Pure: the previous and the next runtime of the machine (machine.ts) say it all.
 *
 * - `ready`: it became ready (from starting, or back from unhealthy without a restart); not a re-adopted one.
 * - `crash`: it failed and will be retried (an exit, a start that timed out); not the restart of a ready server that
 *   failed its health or inference checks, which was told as `unhealthy` / `stalled` when it began.
 * - `gave-up`: it failed and will not be retried (retries used up, or it could not be spawned at all).
 * - `unhealthy` / `stalled`: a ready service failed its liveness probe / its inference check `failureThreshold`
 *   times (whether or not it is then restarted).
 * - `stopped`: it is down because someone stopped it (or an external server went away); a restart is not a stop.
 * - `disk-full`: beside `crash` / `gave-up`, when the exit was caused by a full disk.
 * - `draining`: a stop or restart of a ready LLM server waits for its requests in flight (until when, in the reason).
 *   Its `drain-cut` (drainTimeout ran out with requests in flight) is the runner's to tell.
 */
export function deriveEvents(previous: ServiceRuntime, next: ServiceRuntime): DerivedEvent[] {
  if (previous.phase === next.phase) return [];
  const reason = next.lastError;
  const failure = (event: StackEventName): DerivedEvent[] => [
    { event, reason },
    ...(reason && DISK_FULL.test(reason) ? [{ event: 'disk-full' as const, reason }] : []),
  ];
  switch (next.phase) {
    case 'ready':
      // A service a new daemon re-adopted was ready all along: nothing to tell.
      return previous.detail === 'adopted' ? [] : [{ event: 'ready', reason: null }];
    case 'crashed': {
      const recoveringReadyServer = previous.phase === 'stopping' && previous.then === 'recover' && previous.readyAt !== null;
      return recoveringReadyServer ? [] : failure('crash');
    }
    case 'error':
      return failure('gave-up');
    case 'unhealthy':
    case 'stopping': {
      const failedChecks = (previous.phase === 'ready' || previous.phase === 'unhealthy') && (next.phase === 'unhealthy' || next.then === 'recover');
      if (!failedChecks || previous.phase === 'unhealthy') return [];
      return [{ event: next.inferenceFailures > previous.inferenceFailures ? 'stalled' : 'unhealthy', reason }];
    }
    case 'stopped':
      if (previous.phase === 'external') return [{ event: 'stopped', reason }];
      return [{ event: 'stopped', reason: [next.stopReason, next.exitNote].filter(Boolean).join('; ') || null }];
    case 'draining': {
      const until = next.drainCutAt === null ? '' : ` until ${new Date(next.drainCutAt).toISOString()} (drainTimeout)`;
      return [{ event: 'draining', reason: `${next.then === 'start' ? 'restart' : 'stop'}: waiting for its requests in flight${until}` }];
    }
    default:
      return [];
  }
}
