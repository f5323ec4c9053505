// Pure text for the page: durations, sizes, times, and what a service's serve/drain fields say.

/** @param {number|null|undefined} s seconds */
export const duration = (s) => {
  if (s === null || s === undefined || !Number.isFinite(s)) return '–';
  s = Math.max(0, Math.round(s));
  if (s < 60) return `${s}s`;
  if (s < 3600) return `${Math.floor(s / 60)}m ${String(s % 60).padStart(2, '0')}s`;
  return `${Math.floor(s / 3600)}h ${String(Math.floor((s % 3600) / 60)).padStart(2, '0')}m`;
};

/** @param {number|null|undefined} b bytes */
export const bytes = (b) => {
  if (b === null || b === undefined || !Number.isFinite(b)) return '–';
  if (b < 1024) return `${Math.round(b)} B`;
  if (b < 1048576) return `${(b / 1024).toFixed(0)} KB`;
  if (b < 1073741824) return `${(b / 1048576).toFixed(b < 10485760 ? 1 : 0)} MB`;
  return `${(b / 1073741824).toFixed(1)} GB`;
};

/** @param {number|null|undefined} n */
export const number = (n, digits = 1) => (n === null || n === undefined || !Number.isFinite(n) ? '–' : n.toFixed(digits));

export const percent = (n) => (n === null || n === undefined ? '–' : `${n.toFixed(n < 10 ? 1 : 0)} %`);

/** 7241732096 → 7.2B */
export const count = (n) => (n >= 1e9 ? `${(n / 1e9).toFixed(1)}B` : n >= 1e6 ? `${(n / 1e6).toFixed(0)}M` : n >= 1e3 ? `${(n / 1e3).toFixed(0)}K` : String(n));

/** @param {number} ms epoch ms → 14:03:07 (local time) */
export const clock = (ms) => {
  const d = new Date(ms);
  return [d.getHours(), d.getMinutes(), d.getSeconds()].map((v) => String(v).padStart(2, '0')).join(':');
};

/** Seconds from `now` to an ISO time (negative: past), or null. */
export const secondsUntil = (iso, now) => (iso ? (Date.parse(iso) - now) / 1000 : null);

/** `in 4m 12s`, or `now` once it has passed. */
export const countdown = (iso, now) => {
  const s = secondsUntil(iso, now);
  return s === null ? null : s <= 0 ? 'now' : `in ${duration(s)}`;
};

/**
 * What the serve endpoint and the drain say of a service, as short parts: `draining (2 in flight) · cut in 25s`,
 * `2 waiting`, `1 in flight`, `idle stop in 4m 12s` (why it is stopped is in its badge: stateText).
 */
export function serveParts(s, now) {
  const parts = [];
  if (s.state === 'draining' && s.drain) parts.push({ text: `draining (${s.drain.inFlight} in flight) · cut ${countdown(s.drain.cutAt, now)}` });
  const serve = s.serve;
  if (serve) {
    if (serve.waiting > 0) parts.push({ text: `${serve.waiting} waiting`, waiting: true });
    if (serve.inFlight > 0) parts.push({ text: `${serve.inFlight} in flight` });
    if (serve.idleStopAt) parts.push({ text: `idle stop ${countdown(serve.idleStopAt, now)}${serve.idleStopBy === 'keep_alive' ? ' (keep_alive)' : ''}` });
    if (serve.models && serve.models.length) parts.push({ text: `serves ${serve.models.join(', ')}${serve.group ? ` (group ${serve.group})` : ''}` });
  }
  return parts;
}

/**
 * Why a stopped service is stopped when that is no failure: the reason the daemon gave (`idle 10m`, `swapped out for
 * beta`), or `on demand` for one the serve endpoint starts at its next request. Null otherwise.
 */
export const stopReason = (s) => (s.state !== 'stopped' ? null : s.stopReason || (s.serve ? 'on demand' : null));

/** The state badge: `restarting`, `starting · loading model`, `stopped · idle 10m`, `stopped · on demand`. */
export function stateText(s) {
  const reason = stopReason(s);
  if (reason) return `stopped · ${reason}`;
  return s.detail && s.state !== 'ready' ? `${s.state} · ${s.detail}` : s.state;
}

/** The LLM figures of a status as one line. */
export function llmText(s) {
  const l = s.llm;
  if (!l) return null;
  const parts = [];
  if (l.generationTokensPerSecond !== null && l.generationTokensPerSecond !== undefined) parts.push(`${l.generationEstimated ? '≈' : ''}${l.generationTokensPerSecond.toFixed(1)} tok/s`);
  if (l.requestsProcessing) parts.push(`${l.requestsProcessing} processing`);
  if (l.slotsTotal) parts.push(`${l.slotsBusy ?? 0}/${l.slotsTotal} slots busy`);
  if (l.sleeping) parts.push('sleeping');
  if (l.unanswered) parts.push('not answering its figures');
  return parts.join(' · ') || null;
}

/** Splits a switch's error at its step (`… failed at step 3 (restart chat): …`), so the page can show the step. */
export function stepOf(message) {
  const m = /\bstep \d+ \([^)]*\)/.exec(message);
  return m ? { before: message.slice(0, m.index), step: m[0], after: message.slice(m.index + m[0].length) } : null;
}
