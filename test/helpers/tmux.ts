import { execa } from 'execa';
import { waitFor } from './wait.js';

/** A real pseudo-terminal: the CLI runs in a detached tmux session we type into and read from. */
export class TmuxScreen {
  private constructor(readonly session: string) {}

  static async open(session: string, command: string, env: Record<string, string>, columns = 80, rows = 24): Promise<TmuxScreen> {
    const envArgs = Object.entries(env).flatMap(([k, v]) => ['-e', `${k}=${v}`]);
    await execa('tmux', ['new-session', '-d', '-s', session, '-x', String(columns), '-y', String(rows), ...envArgs, command]);
    await execa('tmux', ['set-option', '-t', session, 'remain-on-exit', 'on']);
    return new TmuxScreen(session);
  }

  /** The visible screen; with `history`, the scrollback too (what a program printed just before it exited). */
  async text(escapes = false, history = false): Promise<string> {
    const run = await execa('tmux', ['capture-pane', '-p', ...(escapes ? ['-e'] : []), ...(history ? ['-S', '-200'] : []), '-t', this.session], { reject: false });
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
    for (const key of keys) await execa('tmux', ['send-keys', '-t', this.session, key]);
  }

  async type(text: string): Promise<void> {
    await execa('tmux', ['send-keys', '-t', this.session, '-l', text]);
  }

  async resize(columns: number, rows: number): Promise<void> {
    await execa('tmux', ['resize-window', '-t', this.session, '-x', String(columns), '-y', String(rows)]);
  }

  async paneDead(): Promise<boolean> {
    const run = await execa('tmux', ['display-message', '-p', '-t', this.session, '#{pane_dead}'], { reject: false });
    return String(run.stdout).trim() === '1';
  }

  async close(): Promise<void> {
    await execa('tmux', ['kill-session', '-t', this.session], { reject: false });
  }
}
