import { KINDS, kindPreset } from '../kinds/index.js';
import { LlamaTopError } from '../protocol/errors.js';
import type { StackConfig as WireStackConfig } from '../protocol/stack-config.js';
import type { StackConfig } from './types.js';

/**
 * A config that came over the wire (a reload, a remote stack's config) as this build's type: every service's kind
 * must be one this llama-top knows (the other end may run another version).
 */
export function withKnownKinds(config: WireStackConfig): StackConfig {
  for (const s of config.services)
    if (!kindPreset(s.kind))
      throw new LlamaTopError('CONFIG', `${config.file}: services.${s.name}.kind "${s.kind}" is not a kind this llama-top knows (${KINDS.join(', ')})`, 'run the same llama-top version on both ends');
  return config as StackConfig;
}
