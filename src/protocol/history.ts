import type { StackEventName } from './journal.js';

/** One point of a service's history: the mean of the samples in its bucket. */
export interface HistoryPoint {
  /** Epoch ms (the mean time of the samples it averages). */
  t: number;
  /** CPU of the process tree, % of one core. */
  cpu: number | null;
  /** Memory (RSS) of the process tree, bytes. */
  memory: number | null;
  /** Tokens generated per second, all requests together (LLM servers only). */
  tokensPerSecond: number | null;
  /** Requests being processed (LLM servers only). */
  processing: number | null;
  /** Busy slots (llama-server only). */
  slotsBusy: number | null;
  /** How many samples the point averages (1 in the last hour at the sampling interval; more once thinned). */
  samples: number;
}

/** What a mark on the time line is: a journal event, or a start / restart told apart from the plain state changes. */
export type HistoryMarkEvent = StackEventName | 'start' | 'restart';

/** A mark on the same time line: a restart, a crash, a backend switch… */
export interface HistoryMark {
  t: number;
  /** null: the stack as a whole (a full disk). */
  service: string | null;
  event: HistoryMarkEvent;
  reason: string | null;
}

/** The answer to `history`: each service's points since the time asked, and the marks in that time. */
export interface HistoryAnswer {
  /** The daemon's sampling interval, ms (a fine point's width). */
  intervalMs: number;
  /** Bytes the daemon's rings hold, all services together: fixed per service, however long it runs. */
  ringBytes: number;
  services: Record<string, HistoryPoint[]>;
  events: HistoryMark[];
}

/** What a `sample` push carries: the point each service just got. */
export interface HistorySample {
  t: number;
  services: Record<string, HistoryPoint>;
}
