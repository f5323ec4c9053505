import { StdioServerTransport } from '@modelcontextprotocol/sdk/server/stdio.js';
import type { ClientApi } from '../protocol/daemon-api.js';
import { createMcpServer } from '../mcp/server.js';
import type { CommandContext } from './context.js';

/**
 * `mcp [--remote HOST]`: an MCP server on stdin/stdout. It holds one connection to the daemon (the local socket or
 * ssh), made when a tool first needs it and again after it was lost (the daemon closes idle connections, or exits
 * once every service is stopped). stdout carries only the protocol; warnings go to stderr.
 */
export async function mcpCommand(ctx: CommandContext): Promise<number> {
  let connection: Promise<ClientApi> | null = null;
  const daemon = (): Promise<ClientApi> => {
    if (connection) return connection;
    const opening: Promise<ClientApi> = ctx.daemon().then(
      (client) => {
        client.onDisconnect(() => (connection = null));
        return client;
      },
      (error: unknown) => {
        connection = null;
        throw error;
      },
    );
    connection = opening;
    return opening;
  };
  const server = createMcpServer({ daemon });
  const transport = new StdioServerTransport();
  const closed = new Promise<void>((resolve) => {
    transport.onclose = () => resolve();
    process.stdin.once('end', () => resolve());
  });
  await server.connect(transport);
  await closed;
  await server.close().catch(() => undefined);
  if (connection) (await (connection as Promise<ClientApi>).catch(() => null))?.close();
  return 0;
}
