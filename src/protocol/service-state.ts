import type { ServiceState } from './status.js';

/** States in which the service's process lives (adopted servers included): stopping it means signalling it. */
const RUNNING: ReadonlySet<ServiceState> = new Set(['starting', 'ready', 'unhealthy', 'draining', 'stopping', 'external']);

/** Is the service's process alive (ours or adopted)? The one meaning of "running" every client and kind uses. */
export const isRunning = (state: ServiceState): boolean => RUNNING.has(state);

/** Does it answer requests now (ready, or an adopted server)? */
export const isServing = (state: ServiceState): boolean => state === 'ready' || state === 'external';

/** Running and ours: a stop/restart acts on it (an adopted server is refused). */
export const isManagedRunning = (state: ServiceState): boolean => isRunning(state) && state !== 'external';
