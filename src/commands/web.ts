import type { CommandContext } from './context.js';

/** A word for a POSIX shell, quoted only when it needs to be. Pure. */
const shellWord = (word: string) => (/^[\w@%+=:,./-]+$/.test(word) ? word : `'${word.replace(/'/g, `'\\''`)}'`);

/**
 * How to get the token from code, as it must be typed on this machine: the file is read where it is (over ssh for a
 * stack on another host, where the path means nothing here). Pure.
 */
export function tokenCommand(tokenFile: string, remoteHost: string | null): string {
  return remoteHost ? `$(ssh ${shellWord(remoteHost)} cat ${shellWord(shellWord(tokenFile))})` : `$(cat ${shellWord(tokenFile)})`;
}

/** What `web` prints. Pure. */
export function formatWeb(url: string, token: string, tokenFile: string, remoteHost: string | null): string[] {
  const lines = [
    `status page, API and /metrics: ${url}`,
    `open once in a browser (the token becomes a cookie): ${url}?token=${token}`,
    `from code: Authorization: Bearer ${tokenCommand(tokenFile, remoteHost)}`,
  ];
  if (remoteHost) {
    const port = new URL(url).port;
    lines.push(`it listens on ${remoteHost}'s loopback: forward it first, e.g. ssh -N -L ${port}:127.0.0.1:${port} ${remoteHost}`);
  }
  return lines;
}

/**
 * `web`: the daemon starts its HTTP listener (the config's `http.listen`, else 127.0.0.1:7878) for the rest of its
 * life; prints the URL to open once (it carries the token, which the browser then keeps as a cookie).
 */
export async function webCommand(ctx: CommandContext): Promise<number> {
  const client = await ctx.daemon();
  try {
    const { url, tokenFile, token } = await client.httpStart();
    if (ctx.flags.json) ctx.out(JSON.stringify({ url, open: `${url}?token=${token}`, tokenFile }));
    else for (const line of formatWeb(url, token, tokenFile, ctx.remote?.host ?? null)) ctx.out(line);
    return 0;
  } finally {
    client.close();
  }
}
