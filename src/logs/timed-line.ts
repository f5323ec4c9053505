import type { LogLine } from './chunks.js';

/** A log line as clients are given it (`logs --json`, the HTTP API, the package's client): ISO time, text. Pure. */
export const timedLine = (l: LogLine): { time: string | null; line: string } => ({ time: l.at === null ? null : new Date(l.at).toISOString(), line: l.text });
