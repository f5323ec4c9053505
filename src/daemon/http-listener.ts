import path from 'node:path';
import type { HttpConfig } from '../config/types.js';
import { LlamaTopError } from '../protocol/errors.js';
import type { HttpListenerInfo } from '../protocol/results.js';
import type { HttpApi, HttpDaemon } from './http-api.js';

/**
 * The daemon's HTTP listener over its life: started on demand or by the config, replaced when a reload moved it or
 * changed who may call it (origins, allowRemote). http-api.js is loaded only then: a daemon without one never loads it.
 */
export class HttpListener {
  private api: HttpApi | null = null;
  private running = '';

  constructor(
    private readonly stateDir: string,
    private readonly daemon: HttpDaemon,
    private readonly log: (line: string) => void,
  ) {}

  /** Where the token is kept. */
  get tokenFile(): string {
    return path.join(this.stateDir, 'http.token');
  }

  /** Its URL and token file while it runs. */
  get info(): { url: string; tokenFile: string } | null {
    return this.api ? { url: this.api.url, tokenFile: this.tokenFile } : null;
  }

  /** Listens as `config` says (the config loader has checked the address), replacing a listener set up otherwise. */
  async ensure(config: HttpConfig): Promise<HttpListenerInfo> {
    const { HttpApi, loadOrCreateToken } = await import('./http-api.js');
    const token = loadOrCreateToken(this.tokenFile);
    const wanted = JSON.stringify(config);
    if (this.api && this.running !== wanted) {
      await this.api.close();
      this.api = null;
    }
    if (!this.api) {
      const next = new HttpApi(config, token, this.daemon);
      try {
        await next.listen();
      } catch (error) {
        const code = (error as NodeJS.ErrnoException).code;
        throw new LlamaTopError('FAILED', `cannot listen on ${config.host}:${config.port} (${code ?? (error as Error).message})${code === 'EADDRINUSE' ? ': something else uses that port; change http.listen' : ''}`);
      }
      this.api = next;
      this.running = wanted;
      this.log(`http: listening on ${next.url} (token in ${this.tokenFile})`);
    }
    return { url: this.api.url, tokenFile: this.tokenFile, token };
  }

  async close(): Promise<void> {
    await this.api?.close();
    this.api = null;
  }
}
