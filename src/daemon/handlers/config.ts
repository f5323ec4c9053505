import path from 'node:path';
import { withKnownKinds } from '../../config/known-kinds.js';
import type { StackConfig } from '../../config/types.js';
import { LlamaTopError } from '../../protocol/errors.js';
import { writeFileAtomic } from '../../shared/write-file-atomic.js';
import { daemonPaths } from '../paths.js';
import type { HandlerGroup } from './context.js';

/** The default HTTP listener of `llama-top web` when the config has no `http:`. */
const DEFAULT_HTTP = { host: '127.0.0.1', port: 7878, allowRemote: false, origins: [] };

/** The config the daemon runs: reading it, applying a new one, and the HTTP listener it may ask for. */
export const configHandlers: HandlerGroup<'reload' | 'stack-config' | 'http-start'> = {
  /**
   * Applies a config the client validated, or with null the file read afresh here (for clients on another machine:
   * the parser is loaded only then). The same file only; what it changed is restarted, the rest untouched.
   */
  reload: async ({ config: given }, { daemon }) => {
    const current = daemon.config();
    let config: StackConfig;
    try {
      config = given ? withKnownKinds(given) : (await import('../../config/load.js')).loadConfig(current.file, (f) => daemonPaths(f).logsDir);
      if (config.file !== current.file) throw new LlamaTopError('USAGE', `this daemon runs ${current.file}, not ${config.file}`);
    } catch (error) {
      daemon.journal.emit({ service: null, event: 'config-error', reason: `reload refused, the stack runs on unchanged: ${(error as Error).message}` });
      throw error;
    }
    daemon.log(`reloading ${config.file}`);
    const result = await daemon.supervisor.reconfigure(config);
    daemon.replaceConfig(config);
    await daemon.notifications.apply(config);
    if (config.http) await daemon.startHttp(config.http).catch((error) => daemon.log(`http: ${(error as Error).message}`));
    const serve = await daemon.ensureServe(config.serve);
    // What the daemon runs now: commands compare the file with it to warn about edits not yet applied.
    writeFileAtomic(path.join(daemon.paths.stateDir, 'config.resolved.json'), JSON.stringify(config));
    daemon.persist();
    daemon.broadcast({ push: 'snapshot', services: daemon.supervisor.status() });
    daemon.log(`reloaded: ${JSON.stringify({ restarted: result.restarted.map((r) => r.name), removed: result.removed, added: result.added, changed: result.changed })}`);
    return serve ? { ...result, serve } : result;
  },
  'stack-config': (_, { daemon }) => daemon.config(),
  'http-start': (_, { daemon }) => daemon.startHttp(daemon.config().http ?? DEFAULT_HTTP),
};
