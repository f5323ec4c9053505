import type { RawService } from '../config/schema.js';
import type { HealthCheck } from '../config/types.js';

export interface KindContext {
  name: string;
  /** Resolved absolute paths are already applied to `model` and `cwd`. */
  raw: RawService;
  host: string;
  commandWords: string[] | undefined;
  args: string[];
}

export interface KindPreset {
  defaultPort?: number;
  /** Problems with the service's settings, as `key: problem` pairs. */
  validate(raw: RawService): Array<{ key: string; message: string }>;
  argv(ctx: KindContext & { port?: number }): string[];
  env(ctx: KindContext & { port?: number }): Record<string, string>;
  health(raw: RawService): HealthCheck;
}
