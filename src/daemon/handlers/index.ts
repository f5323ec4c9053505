import type { Params, RequestType, Result } from '../../protocol/requests.js';
import { backendHandlers } from './backend.js';
import { configHandlers } from './config.js';
import type { DaemonHandler, DaemonHandlers, HandlerContext } from './context.js';
import { eventsHandlers } from './events.js';
import { historyHandlers } from './history.js';
import { lifecycleHandlers } from './lifecycle.js';
import { logsHandlers } from './logs.js';
import { statusHandlers } from './status.js';

export type { DaemonParts, HandlerContext } from './context.js';

/** Every request's handler: a request type of protocol/requests.ts without one here fails to compile. */
export const HANDLERS: DaemonHandlers = { ...statusHandlers, ...lifecycleHandlers, ...logsHandlers, ...backendHandlers, ...configHandlers, ...eventsHandlers, ...historyHandlers };

/** Runs the handler of `type`; its answer is the table's `Result` of that type. */
export function dispatch<K extends RequestType>(type: K, params: Params<K>, context: HandlerContext): Promise<Result<K>> {
  const handler: DaemonHandler<K> = HANDLERS[type];
  return Promise.resolve(handler(params, context));
}
