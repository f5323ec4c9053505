/** How long a daemon with nothing to do waits before it exits; LLAMA_TOP_IDLE_EXIT_MS overrides it. */
export const idleGraceMs = (): number => Number(process.env.LLAMA_TOP_IDLE_EXIT_MS) || 30_000;

/**
 * Calls `onIdle` once `busy()` has been false for `graceMs` on end (nothing to supervise and no client): `status`
 * on a stopped stack leaves nothing behind. Returns the function that stops watching.
 */
export function exitWhenIdle(busy: () => boolean, onIdle: (reason: string) => void, graceMs = idleGraceMs()): () => void {
  let idleSince = Date.now();
  const timer = setInterval(() => {
    if (busy()) idleSince = Date.now();
    else if (Date.now() - idleSince >= graceMs) {
      clearInterval(timer);
      onIdle(`nothing to supervise and no client for ${Math.round(graceMs / 1000)} s`);
    }
  }, Math.min(1000, graceMs / 4));
  timer.unref();
  return () => clearInterval(timer);
}
