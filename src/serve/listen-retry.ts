/** The port the endpoint should listen on is taken: who holds it, and whether to wait for it. */
export interface PortTaken {
  /** What to say of the holder: "port 8080 is in use by pid 12 (python3)". */
  holder: string;
  /** A previous llama-top daemon of this user holds it: one on its way out lets go within moments, so wait (bounded). */
  wait: boolean;
  /** What to do when it does not let go: stop it, or change serve.listen. */
  hint: string;
}

export const LISTEN_WAIT_MS = 3000;
const FIRST_RETRY_MS = 25;

const inUse = (error: unknown) => (error as NodeJS.ErrnoException)?.code === 'EADDRINUSE';

/**
 * Listens; when the port is taken by a llama-top daemon of this user (`taken` says), tries again with a doubling
 * backoff (25 ms on) for up to `waitMs` — a daemon that is exiting frees it within that — then gives up. The error
 * it throws names the holder and what to do. `taken` is asked once, at the first EADDRINUSE.
 */
export async function listenOrWait(
  listen: () => Promise<void>,
  taken: () => Promise<PortTaken>,
  options: { waitMs?: number; sleep?: (ms: number) => Promise<void>; waiting?: (who: PortTaken, waitMs: number) => void } = {},
): Promise<{ waitedMs: number }> {
  const { waitMs = LISTEN_WAIT_MS, sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms)), waiting = () => undefined } = options;
  const began = Date.now();
  let who: PortTaken | null = null;
  for (let delay = FIRST_RETRY_MS; ; delay *= 2) {
    try {
      await listen();
      return { waitedMs: Date.now() - began };
    } catch (error) {
      if (!inUse(error)) throw error;
      if (!who) {
        who = await taken();
        if (who.wait) waiting(who, waitMs);
      }
      const left = waitMs - (Date.now() - began);
      if (!who.wait || left <= 0) throw new PortTakenError(who, who.wait ? Date.now() - began : null);
      await sleep(Math.min(delay, left));
    }
  }
}

export class PortTakenError extends Error {
  readonly code = 'EADDRINUSE';
  constructor(
    readonly taken: PortTaken,
    /** How long it waited for the holder to let go (null: it did not wait: no llama-top daemon holds it). */
    readonly waitedMs: number | null,
  ) {
    super(`${taken.holder}${waitedMs === null ? '' : ` (still held after ${(waitedMs / 1000).toFixed(1)} s)`}: ${taken.hint}`);
  }
}
