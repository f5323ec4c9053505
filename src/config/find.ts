import fs from 'node:fs';
import path from 'node:path';
import { LlamaTopError } from '../protocol/errors.js';

const CONFIG_NAMES = ['llama-top.yaml', 'llama-top.yml', 'llama-top.json'];

/** `--config`, then LLAMA_TOP_CONFIG, then llama-top.{yaml,yml,json} in `cwd`. Cheap: no parsing. */
export function findConfigFile(explicit: string | undefined, cwd = process.cwd(), env = process.env): string {
  const given = explicit ?? env.LLAMA_TOP_CONFIG;
  if (given) {
    const file = path.resolve(cwd, given);
    if (!fs.existsSync(file)) throw new LlamaTopError('CONFIG', `${file}: config file not found`, 'check the --config path or LLAMA_TOP_CONFIG');
    return file;
  }
  for (const name of CONFIG_NAMES) {
    const file = path.join(cwd, name);
    if (fs.existsSync(file)) return file;
  }
  throw new LlamaTopError(
    'CONFIG',
    `no llama-top.yaml in ${cwd}`,
    'run llama-top init to write one from what it finds here (servers on PATH, ./models, a chat app), pass --config FILE, or try the built-in demo: llama-top demo',
  );
}
