import net from 'node:net';
import { NO_DAEMON_EXIT } from '../client/ssh-link.js';
import { localPaths, type CommandContext } from './context.js';

/**
 * `dial-stdio`: the far end of `--remote`. Connects to this config's daemon (starting it unless --no-start) and
 * relays bytes between stdin/stdout and its socket until either side closes. It never parses the stream: the
 * daemon greets the client itself, so versions are compared end to end.
 */
export async function dialStdioCommand(ctx: CommandContext): Promise<number> {
  const paths = localPaths(ctx);
  const client = ctx.flags.start ? await ctx.daemon() : await ctx.existingDaemon();
  if (!client) {
    ctx.err(`llama-top: no daemon runs for ${ctx.configFile}`);
    return NO_DAEMON_EXIT;
  }
  client.close();
  const socket = net.connect(paths.socket);
  await new Promise<void>((resolve, reject) => {
    socket.once('connect', resolve);
    socket.once('error', reject);
  });
  process.stdin.pipe(socket);
  socket.pipe(process.stdout);
  process.stdout.on('error', () => socket.destroy()); // the ssh link is gone
  await new Promise<void>((resolve) => {
    socket.once('close', resolve);
    process.stdin.once('end', () => socket.end());
  });
  return 0;
}
