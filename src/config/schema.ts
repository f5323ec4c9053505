import { KINDS } from '../kinds/index.js';
import { STACK_EVENTS } from '../protocol/journal.js';
import { z } from 'zod';
import { MAX_TIMER_MS, parseBytes, parseDuration } from './durations.js';

/** Longest service name: it names its log directory and cgroup (plus a start id), within NAME_MAX (255). */
export const MAX_SERVICE_NAME = 100;

const duration = z.union([z.number(), z.string()]).transform((value, ctx) => {
  const ms = parseDuration(value);
  if (ms === null) {
    ctx.addIssue({ code: 'custom', message: `"${value}" is not a duration: use milliseconds or "500ms", "10s", "2m"` });
    return z.NEVER;
  }
  if (ms > MAX_TIMER_MS) {
    ctx.addIssue({ code: 'custom', message: `"${value}" is too long: timers go up to ${MAX_TIMER_MS} ms (24.8 days, "596h")` });
    return z.NEVER;
  }
  return ms;
});

const bytes = z.union([z.number(), z.string()]).transform((value, ctx) => {
  const n = parseBytes(value);
  if (n === null) {
    ctx.addIssue({ code: 'custom', message: `"${value}" is not a size: use bytes or "512KB", "50MB", "1GB"` });
    return z.NEVER;
  }
  return n;
});

const port = z
  .number({ error: 'must be a port number (1-65535)' })
  .int('must be a whole number')
  .min(1, 'must be between 1 and 65535')
  .max(65535, 'must be between 1 and 65535');

export const restartSchema = z
  .object({
    maxRetries: z.number().int().min(0).optional(),
    backoff: duration.optional(),
    maxBackoff: duration.optional(),
    resetAfter: duration.optional(),
    onUnhealthy: z.boolean().optional(),
  })
  .strict();

/** An item of a command line: `[python3, flood.py, 100]` means the word "100". */
const words = z.union([z.string(), z.number(), z.boolean()]).transform(String);

const healthSchema = z
  .object({
    http: z.string().startsWith('/', 'must be a path starting with /').optional(),
    tcp: z.boolean().optional(),
    command: z.union([z.string(), z.array(words).min(1)]).optional(),
    interval: duration.optional(),
    // While it is healthy and no client watches: the check at most this often (an HTTP check is a line in its log).
    quietInterval: duration.optional(),
    timeout: duration.optional(),
    failureThreshold: z.number().int().min(1).optional(),
    // LLM servers: does it still generate? (a wedged GPU can leave /health at 200). false turns it off.
    inference: z.union([z.literal(false), z.object({ interval: duration.optional(), timeout: duration.optional() }).strict()]).optional(),
  })
  .strict();

/** One entry of `notify:`: which events (of which services) run a command or POST a webhook. */
const notifyEntrySchema = z
  .object({
    on: z.array(z.enum(STACK_EVENTS, { error: `must be one of: ${STACK_EVENTS.join(', ')}` })).min(1, 'name at least one event, e.g. [crash, gave-up]'),
    services: z.array(z.string()).optional(),
    command: z.union([z.string().min(1), z.array(words).min(1)]).optional(),
    webhook: z.string().regex(/^https?:\/\/[^\s/]+/, 'must be an http:// or https:// URL').optional(),
    format: z.enum(['json', 'text', 'slack', 'discord'], { error: 'must be one of: json, text, slack, discord' }).optional(),
    headers: z.record(z.string(), z.string()).optional(),
    quiet: duration.optional(),
    timeout: duration.optional(),
    retries: z.number().int().min(0).max(10).optional(),
  })
  .strict();

export type { Kind } from '../kinds/index.js';

export const serviceSchema = z
  .object({
    kind: z.enum(KINDS, { error: `must be one of: ${KINDS.join(', ')}` }),
    // (a blank command is refused by the loader, which knows what the kind makes of it)
    command: z.union([z.string(), z.array(words).min(1)]).optional(),
    args: z.array(words).optional(),
    model: z.string().optional(),
    modelsDir: z.string().optional(),
    host: z.string().optional(),
    port: port.optional(),
    cwd: z.string().optional(),
    env: z.record(z.string(), z.union([z.string(), z.number(), z.boolean()]).transform(String)).optional(),
    startTimeout: duration.optional(),
    stopTimeout: duration.optional(),
    drainTimeout: duration.optional(),
    readyAfter: duration.optional(),
    restart: restartSchema.optional(),
    autostart: z.boolean().optional(),
    health: healthSchema.optional(),
    dependsOn: z.array(z.string()).optional(),
    // The serve endpoint: the names clients send in `model`, the group of which one member runs at a time, and how
    // long without a request before it is stopped.
    models: z.array(z.string().min(1, 'a model name may not be empty')).optional(),
    group: z.string().min(1).optional(),
    idleStop: duration.optional(),
  })
  .strict();

export const configSchema = z
  .object({
    name: z.string().min(1).optional(),
    logs: z
      .object({ dir: z.string().optional(), maxFiles: z.number().int().min(1).optional(), maxBytes: bytes.optional() })
      .strict()
      .optional(),
    restart: restartSchema.optional(),
    metrics: z.object({ interval: duration.optional() }).strict().optional(),
    http: z
      .object({
        listen: z.string().regex(/^(\[[0-9a-fA-F:]+\]|[\w.-]+):\d{1,5}$/, 'must be HOST:PORT, e.g. 127.0.0.1:7878'),
        allowRemote: z.boolean().optional(),
        origins: z.array(z.string().regex(/^https?:\/\/[^/]+$/, 'must be an origin like http://localhost:3000 (no path)')).optional(),
      })
      .strict()
      .optional(),
    notify: z.array(notifyEntrySchema).optional(),
    serve: z
      .object({
        listen: z.string().regex(/^(\[[0-9a-fA-F:]+\]|[\w.-]+):\d{1,5}$/, 'must be HOST:PORT, e.g. 127.0.0.1:8080'),
        allowRemote: z.boolean().optional(),
        apiKeys: z.array(z.string().min(8, 'an API key has at least 8 characters')).optional(),
      })
      .strict()
      .optional(),
    services: z.record(
      z
        .string()
        .regex(/^[A-Za-z0-9][A-Za-z0-9._-]*$/, 'service names use letters, digits, . _ -')
        // it names a log directory, a cgroup and files inside them: well under a file name's 255 bytes
        .max(MAX_SERVICE_NAME, `service names are at most ${MAX_SERVICE_NAME} characters (they name directories and files)`),
      serviceSchema,
    ),
    backend: z
      .object({
        app: z.string(),
        file: z.string().optional(),
        key: z.string().optional(),
        env: z.record(z.string(), z.record(z.string(), z.string())).optional(),
        choices: z.record(z.string(), z.string().nullable()),
        // How to check a backend the app serves itself (choice: null): a command run in the app's directory with
        // its environment (exit 0 = healthy; its last line is the reason otherwise), or an HTTP path of the app.
        health: z
          .record(
            z.string(),
            z
              .object({
                command: z.union([z.string().min(1), z.array(words).min(1)]).optional(),
                http: z.string().startsWith('/', 'must be a path starting with /').optional(),
                // the backend's own address (e.g. the ollama the app talks to): GET it, healthy on 2xx
                url: z.string().regex(/^https?:\/\/[^/]+/, 'must be an http:// or https:// URL').optional(),
              })
              .strict()
              .refine((h) => [h.command, h.http, h.url].filter((v) => v !== undefined).length === 1, 'give one of command, http or url'),
          )
          .optional(),
        stopOther: z.boolean().optional(),
      })
      .strict()
      .optional(),
  })
  .strict();

export type RawConfig = z.infer<typeof configSchema>;
export type RawService = z.infer<typeof serviceSchema>;
