import { execa } from 'execa';
import { waitFor } from './wait.js';

/** tmux on a server of its own (-L): tests running side by side never share, or shut down, one another's server. */
export const tmux = (server: string, args: string[]) => execa('tmux', ['-L', server, ...args], { reject: false });

/** A real pseudo-terminal: the CLI runs in a detached tmux session we type into and read from. */
export class TmuxScreen {
  private constructor(readonly session: string) {}

  static async open(session: string, command: string, env: Record<string, string>, columns = 80, rows = 24): Promise<TmuxScreen> {
    const envArgs = Object.entries(env).flatMap(([k, v]) => ['-e', `${k}=${v}`]);
    const created = await tmux(session, ['new-session', '-d', '-s', session, '-x', String(columns), '-y', String(rows), ...envArgs, command]);
    if (created.exitCode !== 0) throw new Error(`tmux new-session failed: ${created.stderr}`);
    await tmux(session, ['set-option', '-t', session, 'remain-on-exit', 'on']);
    return new TmuxScreen(session);
  }

  /** The visible screen; with `history`, the scrollback too (what a program printed just before it exited). */
  async text(escapes = false, history = false): Promise<string> {
    const run = await tmux(this.session, ['capture-pane', '-p', ...(escapes ? ['-e'] : []), ...(history ? ['-S', '-200'] : []), '-t', this.session]);
    return String(run.stdout);
  }

  /** Waits until the screen matches; the error shows the last screen. */
  async waitFor(pattern: RegExp, what: string, timeoutMs = 20_000, history = false): Promise<string> {
    let last = '';
    try {
      await waitFor(async () => pattern.test((last = await this.text(false, history))), what, timeoutMs);
    } catch {
      throw new Error(`timed out waiting for ${what} (${pattern}); the screen was:\n${last}`);
    }
    return last;
  }

  async keys(...keys: string[]): Promise<void> {
    for (const key of keys) await tmux(this.session, ['send-keys', '-t', this.session, key]);
  }

  async type(text: string): Promise<void> {
    await tmux(this.session, ['send-keys', '-t', this.session, '-l', text]);
  }

  async resize(columns: number, rows: number): Promise<void> {
    await tmux(this.session, ['resize-window', '-t', this.session, '-x', String(columns), '-y', String(rows)]);
  }

  async close(): Promise<void> {
    await tmux(this.session, ['kill-server']);
  }
}
