import type { ModelsReport } from '../kinds/kind.js';
import type { LogLine } from '../logs/chunks.js';
import type { DaemonApi } from '../protocol/daemon-api.js';
import type { JournalPage } from '../protocol/journal.js';
import type { ServiceStatus } from '../protocol/messages.js';

/**
 * What the MCP tools ask of the daemon: the TUI's `DaemonApi` and the requests the commands use beside it (logs,
 * models, the journal). `DaemonClient` is one, over the Unix socket or `ssh … dial-stdio` alike.
 */
export interface McpDaemon extends Pick<DaemonApi, 'start' | 'restart' | 'stop' | 'reload' | 'backendReport' | 'backendSwitch'> {
  statusReport(): Promise<{ services: ServiceStatus[]; problems: string[] }>;
  logs(names: string[], lines: number, sinceMs: number | null, times: boolean): Promise<Array<{ service: string; dir: string; lines: LogLine[] }>>;
  models(names: string[]): Promise<ModelsReport[]>;
  journal(since: string | null, limit: number | null): Promise<JournalPage>;
}

/** How the tools reach the stack: a live daemon connection (made again when it was lost). */
export interface McpContext {
  daemon(): Promise<McpDaemon>;
}
