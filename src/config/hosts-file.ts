import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { RemoteTarget } from '../client/ssh-link.js';
import { LlamaTopError } from '../protocol/errors.js';

/** Where the usual set of boxes is kept: $XDG_CONFIG_HOME/llama-top/hosts (~/.config/llama-top/hosts). */
export function hostsFilePath(env: NodeJS.ProcessEnv = process.env): string {
  return path.join(env.XDG_CONFIG_HOME || path.join(os.homedir(), '.config'), 'llama-top', 'hosts');
}

/**
 * One box per line: `HOST [CONFIG [LLAMA-TOP COMMAND…]]`, where HOST is anything ssh accepts, CONFIG the config
 * path there (`-` for its default) and the rest the llama-top to run there. `#` starts a comment. Pure.
 */
export function parseHostsFile(text: string, file: string, defaultBin = 'llama-top'): RemoteTarget[] {
  const targets: RemoteTarget[] = [];
  text.split('\n').forEach((raw, i) => {
    const line = raw.replace(/#.*/, '').trim();
    if (!line) return;
    const [host, config, ...bin] = line.split(/\s+/);
    if (host!.startsWith('-')) throw new LlamaTopError('CONFIG', `${file}:${i + 1}: "${host}" is not a host (HOST [CONFIG [COMMAND…]])`);
    if (targets.some((t) => t.host === host)) throw new LlamaTopError('CONFIG', `${file}:${i + 1}: ${host} is listed twice`);
    targets.push({ host: host!, bin: bin.length ? bin.join(' ') : defaultBin, ...(config && config !== '-' ? { config } : {}) });
  });
  return targets;
}

/** The hosts file's boxes; a missing or empty file is an error saying what to write. */
export function readHostsFile(file = hostsFilePath(), defaultBin?: string): RemoteTarget[] {
  let text: string;
  try {
    text = fs.readFileSync(file, 'utf8');
  } catch {
    throw new LlamaTopError('CONFIG', `${file}: no hosts file`, `write one box per line: HOST [CONFIG [LLAMA-TOP COMMAND]], e.g. "gpu-box ~/llm/llama-top.yaml"`);
  }
  const targets = parseHostsFile(text, file, defaultBin);
  if (targets.length === 0) throw new LlamaTopError('CONFIG', `${file}: no hosts listed`, 'one box per line: HOST [CONFIG [LLAMA-TOP COMMAND]]');
  return targets;
}
