import type { ClientApi } from '../protocol/daemon-api.js';

/**
 * What the MCP tools ask of the daemon: the commands' `ClientApi` (the TUI's `DaemonApi` plus logs, models, the
 * journal). `DaemonClient` is one, over the Unix socket or `ssh … dial-stdio` alike.
 */
export type McpDaemon = Pick<ClientApi, 'statusReport' | 'start' | 'restart' | 'stop' | 'reload' | 'backendReport' | 'backendSwitch' | 'logs' | 'models' | 'journal'>;

/** How the tools reach the stack: a live daemon connection (made again when it was lost). */
export interface McpContext {
  daemon(): Promise<McpDaemon>;
}
