import type { ErrorCode } from './errors.js';
import type { HistoryMark, HistorySample } from './history.js';
import type { LogLine } from './results.js';
import type { ServiceState, ServiceStatus } from './status.js';

export type { DaemonInfo, InferenceCheckReport, ServiceState, ServiceStatus, StartOutcome, DrainOutcome } from './status.js';
export type { Request, RequestBody } from './requests.js';

export interface StateChangeEvent {
  type: 'state';
  time: string;
  service: string;
  from: ServiceState;
  to: ServiceState;
  status: ServiceStatus;
}

export type Response =
  | { id: number; ok: true; result: unknown }
  | { id: number | null; ok: false; code: ErrorCode; message: string };

/** Pushed to subscribers: first a snapshot, then every change. */
export type Push =
  | { push: 'snapshot'; services: ServiceStatus[] }
  | { push: 'event'; event: StateChangeEvent }
  | { push: 'bye'; reason: string }
  | { push: 'log'; service: string; lines: LogLine[] }
  | { push: 'log-gap'; service: string; chunks: number }
  /** After each sample: the history point every service just got (the page's charts follow these). */
  | { push: 'sample'; sample: HistorySample }
  /** A mark on the charts' time line (a restart, a crash, a backend switch), as the journal records it. */
  | { push: 'mark'; mark: HistoryMark }
  /** Sent first on every connection: a client of another protocol says so instead of misreading answers. */
  | { push: 'hello'; protocol: number; version: string; pid: number };

/** Bumped whenever a request, an answer or a push changes shape. */
export const PROTOCOL_VERSION = 4;

export const MAX_MESSAGE_BYTES = 1024 * 1024;
