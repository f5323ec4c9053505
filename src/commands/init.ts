import fs from 'node:fs';
import path from 'node:path';
import { LlamaTopError } from '../protocol/errors.js';
import { detect } from './init-detect.js';
import { renderInitConfig } from './init-write.js';
import { chooseServePort, SERVE_PORT, servePortNote } from './init-serve-port.js';

/** Who holds `port` on this machine now (any address), or null when it is free. */
async function portHolder(port: number): Promise<string | null> {
  const { describePortHolder, findPortHolder } = await import('../process/ports.js');
  const holder = await findPortHolder(port);
  return holder ? describePortHolder(port, holder).replace(`port ${port} is `, '') : null;
}

/** `init [--force]`: writes ./llama-top.yaml from what it finds; never overwrites without --force. */
export async function initCommand(options: { dir: string; force: boolean; json: boolean; out: (s: string) => void }): Promise<number> {
  const file = path.join(options.dir, 'llama-top.yaml');
  if (fs.existsSync(file) && !options.force)
    throw new LlamaTopError('USAGE', `${file} already exists: not overwriting it`, 'use llama-top init --force to replace it');
  const found = detect(options.dir);
  if (Object.values(found.binaries).every((b) => b === null) && !found.chat)
    throw new LlamaTopError(
      'FAILED',
      `nothing to supervise found in ${options.dir}: no llama-server or ollama on PATH, and no chat app (config.json with backend.active)`,
      'write llama-top.yaml by hand (see the README) or try the built-in demo: llama-top demo',
    );
  const { parseConfigText } = await import('../config/load.js');
  const parse = (t: string) => parseConfigText(t, file, () => path.join(options.dir, 'logs')); // what we write must load
  let { text, notes } = renderInitConfig(found);
  let checked = parse(text);
  // The serve: block (commented or live) listens on a port nothing else uses: not a service's, nor one held now.
  if (!checked.serve) {
    const choice = await chooseServePort(new Map(checked.services.filter((s) => s.port !== undefined).map((s) => [s.port!, `services.${s.name}.port`])), portHolder);
    if (choice.port !== SERVE_PORT) {
      ({ text, notes } = renderInitConfig(found, new Date(), choice.port));
      checked = parse(text);
    }
    const note = servePortNote(choice);
    if (note) notes.push(note);
  }
  fs.writeFileSync(file, text);
  if (options.json) options.out(JSON.stringify({ file, services: checked.services.map((s) => s.name), detected: found }));
  else {
    options.out(`wrote ${file} with ${checked.services.length} service(s): ${checked.services.map((s) => s.name).join(', ') || 'none'}`);
    for (const note of notes) options.out(`  ${note}`);
    if (found.chat) options.out(`  chat: runs with ${found.chat.python.argv.slice(0, -1).join(' ')} (${found.chat.python.why})`);
    if (!found.chat) options.out('  no chat app (a config.json with backend.active) found here or one level down');
    options.out('next: llama-top start, then llama-top to watch');
  }
  return 0;
}
