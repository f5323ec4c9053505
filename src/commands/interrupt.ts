/** Resolves when the user presses Ctrl-C (SIGINT) or the terminal asks the command to end (SIGTERM). */
export function interruption(): { interrupted: Promise<'interrupted'>; dispose: () => void } {
  let handler: () => void = () => undefined;
  const interrupted = new Promise<'interrupted'>((resolve) => {
    handler = () => resolve('interrupted');
    process.once('SIGINT', handler);
    process.once('SIGTERM', handler);
  });
  return {
    interrupted,
    dispose: () => {
      process.off('SIGINT', handler);
      process.off('SIGTERM', handler);
    },
  };
}

/** What a start or restart interrupted while it waited leaves behind, and how to watch it. Pure. */
export function interruptedStartText(verb: 'start' | 'restart', names: string[], hint: (rest: string) => string): string {
  const who = names.length === 1 ? `${names[0]} keeps` : `${names.join(', ')} keep`;
  return `llama-top: stopped waiting; ${who} ${verb === 'start' ? 'starting' : 'restarting'} in the daemon. Watch with ${hint('status')} or ${hint(`logs -f${names.length === 1 ? ` ${names[0]}` : ''}`)}; ${hint('stop')} stops them.`;
}
