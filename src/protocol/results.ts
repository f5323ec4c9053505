import type { StartOutcome } from './status.js';

/** What a reload did, service by service. */
export interface ReloadResult {
  unchanged: string[];
  /** Changed but not running: the new settings apply at the next start. */
  changed: string[];
  restarted: StartOutcome[];
  stopped: StartOutcome[];
  removed: string[];
  added: string[];
  started: StartOutcome[];
  /** What became of the serve endpoint (absent: the config has no `serve:` and had none). */
  serve?: ServeReloadOutcome;
}

/** The serve endpoint over a reload: its URL before and after, and why the new `serve.listen` could not be bound. */
export interface ServeReloadOutcome {
  from: string | null;
  to: string | null;
  /** Set when serve.listen is not what listens: the endpoint is closed, or still on `to` (the old address). */
  error: string | null;
}

/** What a backend switch did. */
export interface SwitchResult {
  from: string | null;
  to: string;
  changed: boolean;
  stopped: string | null;
  elapsedMs: number;
  /** Why the target's own health could not be checked before the switch (an app-served backend with nothing to ask). */
  unchecked?: string | null;
}

/** One choice of the chat app's backend, with its health when asked. */
export interface BackendEntry {
  name: string;
  service: string | null;
  healthy: boolean | null;
  reason: string | null;
  active: boolean;
}

/** The chat app's backends; `active` is null when the app's value cannot be read. */
export interface BackendReport {
  active: string | null;
  app: string;
  backends: BackendEntry[];
}

/** A line of a service's log. */
export interface LogLine {
  text: string;
  /** When it was written (epoch ms), from the chunk's index; null when unknown. */
  at: number | null;
}

/** One service's log lines as the daemon read them. */
export interface ServiceLogs {
  service: string;
  dir: string;
  lines: LogLine[];
}

/** What `models` reports for one service: the kind's own fields beside these. */
export interface ModelsReport {
  service: string;
  kind: string;
  error: string | null;
}

/** The HTTP listener a `http-start` started (or found running). */
export interface HttpListenerInfo {
  url: string;
  tokenFile: string;
  token: string;
}
