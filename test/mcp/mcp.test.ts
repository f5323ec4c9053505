import fs from 'node:fs';
import path from 'node:path';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StdioClientTransport } from '@modelcontextprotocol/sdk/client/stdio.js';
import type { CallToolResult } from '@modelcontextprotocol/sdk/types.js';
import { afterEach, describe, expect, it } from 'vitest';
import { cleanupAll, CLI, llamaServerCommand, makeStack, NODE, REAL_LLAMA_SERVER, TINY_GGUF, type Stack } from '../helpers/stack.js';

const clients: Client[] = [];
afterEach(async () => {
  await Promise.all(clients.splice(0).map((c) => c.close().catch(() => undefined)));
  await cleanupAll();
});

const against = REAL_LLAMA_SERVER ? `the real llama-server (${REAL_LLAMA_SERVER})` : 'the llama-server fixture';

const llamaStack = (ports: number[], dir: string) => {
  fs.copyFileSync(TINY_GGUF, path.join(dir, 'tiny.gguf'));
  return `name: mcp-stack
restart: { maxRetries: 0 }
services:
  llama:
    kind: llama-server
    command: ${JSON.stringify(llamaServerCommand())}
    model: ./tiny.gguf
    port: ${ports[0]}
    args: [-t, "1"]
    stopTimeout: 5s
`;
};

/** The SDK's own client, running the built CLI's `mcp` over stdio. */
async function connect(stack: Stack): Promise<Client> {
  const transport = new StdioClientTransport({
    command: NODE,
    args: [CLI, 'mcp', '--config', stack.configFile],
    env: { ...(process.env as Record<string, string>), ...stack.env },
    stderr: 'pipe',
  });
  const client = new Client({ name: 'llama-top-test', version: '1.0.0' });
  await client.connect(transport);
  clients.push(client);
  return client;
}

const text = (result: unknown) => ((result as CallToolResult).content[0] as { text: string }).text;

describe(`llama-top mcp, with the SDK's Client over stdio, against ${against}`, () => {
  it('lists the tools, reads the status, restarts a service (new pid), reads its logs, and answers an unknown service with a tool error', async () => {
    const stack = await makeStack(llamaStack, 1);
    expect((await stack.cli(['start'])).exitCode).toBe(0);
    const client = await connect(stack);

    const { tools } = await client.listTools();
    expect(tools.map((t) => t.name).sort()).toEqual(['backend_status', 'backend_switch', 'events', 'logs', 'models', 'reload', 'restart', 'start', 'status', 'stop']);
    const byName = new Map(tools.map((t) => [t.name, t]));
    for (const t of tools) {
      expect(t.description, t.name).toMatch(/^[^\n]{10,160}$/);
      expect(t.inputSchema.type).toBe('object');
    }
    expect(byName.get('status')!.annotations).toMatchObject({ readOnlyHint: true });
    expect(byName.get('stop')!.annotations).toMatchObject({ readOnlyHint: false, destructiveHint: true });
    expect(byName.get('logs')!.inputSchema.required).toEqual(['service']);
    expect(Object.keys(byName.get('logs')!.inputSchema.properties!)).toEqual(['service', 'lines', 'since', 'grep']);

    const status = await client.callTool({ name: 'status', arguments: {} });
    expect(status.isError).toBeFalsy();
    expect(text(status)).toMatch(/SERVICE\s+KIND\s+STATE\s+PID/);
    expect(text(status)).toMatch(/llama\s+llama-server\s+ready/);
    const before = (status.structuredContent as { services: Array<{ name: string; pid: number; state: string }> }).services[0]!;
    expect(before).toMatchObject({ name: 'llama', state: 'ready' });

    const restart = await client.callTool({ name: 'restart', arguments: { services: ['llama'] } });
    expect(restart.isError, text(restart)).toBeFalsy();
    expect(text(restart)).toMatch(/✓ llama ready in [\d.]+s \(pid \d+/);
    const after = (restart.structuredContent as { services: Array<{ pid: number; state: string }> }).services[0]!;
    expect(after.state).toBe('ready');
    expect(after.pid).not.toBe(before.pid);

    const logs = await client.callTool({ name: 'logs', arguments: { service: 'llama', lines: 5, grep: 'listening' } });
    expect(logs.isError).toBeFalsy();
    const lines = (logs.structuredContent as { lines: Array<{ time: string; line: string }> }).lines;
    expect(lines.length).toBeGreaterThanOrEqual(2); // one per start: before and after the restart
    for (const l of lines) expect(l.line).toMatch(/listening/i);
    expect(text(logs)).toMatch(/^\d{4}-\d\d-\d\dT[\d:.]+Z .*listening/im);

    const events = await client.callTool({ name: 'events', arguments: { since: '10m' } });
    expect(text(events)).toMatch(/llama ready \(starting → ready\)/);
    expect(text(events)).toMatch(/llama draining \(ready → draining\)/);
    expect(text(events)).toMatch(/llama state \(draining → stopping\)/);

    const unknown = await client.callTool({ name: 'logs', arguments: { service: 'nope' } });
    expect(unknown.isError).toBe(true);
    expect(text(unknown)).toMatch(/unknown service "nope" \(services: llama\)/);
    const unknownRestart = await client.callTool({ name: 'restart', arguments: { services: ['nope'] } });
    expect(unknownRestart.isError).toBe(true);
    expect(text(unknownRestart)).toMatch(/unknown service "nope"/);
    // A broken config is refused by reload with where it is broken, and journaled as a config-error.
    fs.appendFileSync(stack.configFile, '    startTimeout: never\n');
    const reload = await client.callTool({ name: 'reload', arguments: {} });
    expect(reload.isError).toBe(true);
    expect(text(reload)).toMatch(/llama-top\.yaml:\d+:\d+ services\.llama\.startTimeout/);
    const configError = await client.callTool({ name: 'events', arguments: { since: '1m' } });
    expect(text(configError)).toMatch(/stack config-error: reload refused, the stack runs on unchanged: .*llama-top\.yaml:\d+:\d+ services\.llama\.startTimeout/);
    expect((configError.structuredContent as { events: Array<{ event: string }> }).events.at(-1)!.event).toBe('config-error');
    // A bad argument is the SDK's validation error, as a tool error too.
    const bad = await client.callTool({ name: 'logs', arguments: { service: 'llama', lines: -3 } });
    expect(bad.isError).toBe(true);
  });
});
