import { McpServer } from '@modelcontextprotocol/sdk/server/mcp.js';
import type { CallToolResult } from '@modelcontextprotocol/sdk/types.js';
import { errorMessage, isLlamaTopError } from '../protocol/errors.js';
import { VERSION } from '../version.js';
import type { McpContext } from './daemon-port.js';
import { TOOLS, type ToolSpec } from './tools.js';

/** A tool's answer as MCP carries it; a failure (an unknown service, a refused stop) is a tool error with why, never a crash. */
async function call(spec: ToolSpec, ctx: McpContext, args: Record<string, unknown>): Promise<CallToolResult> {
  try {
    const answer = await spec.run(ctx, args as never);
    return { content: [{ type: 'text', text: answer.text }], structuredContent: answer.structured, ...(answer.isError ? { isError: true } : {}) };
  } catch (error) {
    const hint = isLlamaTopError(error) && error.hint ? `\nhint: ${error.hint}` : '';
    const code = isLlamaTopError(error) ? error.code : 'FAILED';
    return { content: [{ type: 'text', text: `${errorMessage(error)}${hint}` }], structuredContent: { error: code, message: errorMessage(error) }, isError: true };
  }
}

/** The MCP server of one stack: every tool of tools.ts, each a question to the daemon. */
export function createMcpServer(ctx: McpContext): McpServer {
  const server = new McpServer(
    { name: 'llama-top', version: VERSION },
    { instructions: 'llama-top supervises a local LLM stack (llama-server, ollama, a chat app). Read status first; logs and events say why a service failed.' },
  );
  for (const spec of TOOLS as unknown as ToolSpec[])
    server.registerTool(spec.name, { title: spec.title, description: spec.description, inputSchema: spec.input, annotations: { title: spec.title, ...spec.annotations } }, (args: Record<string, unknown>) => call(spec, ctx, args));
  return server;
}
