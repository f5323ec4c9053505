import type { ServiceConfig as WireServiceConfig, StackConfig as WireStackConfig } from '../protocol/stack-config.js';
import type { Kind } from './schema.js';

export type { BackendConfig, HealthCheck, HttpConfig, LogsConfig, NotifyEntry, RestartPolicy, ServeConfig, WebhookFormat } from '../protocol/stack-config.js';

/** A service as the loader resolved it: the wire shape, with a kind this build knows. */
export interface ServiceConfig extends WireServiceConfig {
  kind: Kind;
}

export interface StackConfig extends WireStackConfig {
  services: ServiceConfig[];
}
