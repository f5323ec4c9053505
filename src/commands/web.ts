import type { CommandContext } from './context.js';

/**
 * `web`: the daemon starts its HTTP listener (the config's `http.listen`, else 127.0.0.1:7878) for the rest of its
 * life; prints the URL to open once (it carries the token, which the browser then keeps as a cookie).
 */
export async function webCommand(ctx: CommandContext): Promise<number> {
  const client = await ctx.daemon();
  try {
    const { url, tokenFile, token } = await client.httpStart();
    const open = `${url}?token=${token}`;
    if (ctx.flags.json) ctx.out(JSON.stringify({ url, open, tokenFile }));
    else {
      ctx.out(`status page, API and /metrics: ${url}`);
      ctx.out(`open once in a browser (the token becomes a cookie): ${open}`);
      ctx.out(`from code: Authorization: Bearer $(cat ${tokenFile})`);
      if (ctx.remote) {
        const port = new URL(url).port;
        ctx.out(`it listens on ${ctx.remote.host}'s loopback: forward it first, e.g. ssh -N -L ${port}:127.0.0.1:${port} ${ctx.remote.host}`);
      }
    }
    return 0;
  } finally {
    client.close();
  }
}
