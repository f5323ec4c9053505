import os from 'node:os';
import type { StackConfig } from '../config/types.js';
import type { StackEvent } from '../protocol/journal.js';
import type { Notifier } from '../notify/notifier.js';

/**
 * The daemon's side of `notify:`: the Notifier is loaded only for a config that has entries (an idle daemon stays
 * small), handed a reloaded config's entries, and stopped with the daemon.
 */
export class Notifications {
  private notifier: Notifier | null = null;

  constructor(private readonly log: (line: string) => void) {}

  /** Called with every journal entry; returns at once. */
  handle(event: StackEvent): void {
    this.notifier?.handle(event);
  }

  /** Loads the notifier when `config` has entries, or hands it a reloaded config's. */
  async apply(config: StackConfig): Promise<Notifier> {
    if (this.notifier) {
      this.notifier.configure(config.notify ?? []);
      return this.notifier;
    }
    const { Notifier } = await import('../notify/notifier.js');
    const notifier = new Notifier(config.notify ?? [], { stack: config.name, host: os.hostname(), cwd: config.dir, log: this.log });
    if (config.notify?.length) this.notifier = notifier;
    return notifier;
  }

  dispose(): void {
    this.notifier?.dispose();
  }
}
