import path from 'node:path';

/** `file` as a config would write it from `dir`: `./models/x.gguf` inside it, the absolute path outside. Pure. */
export function configRelative(dir: string, file: string): string {
  const r = path.relative(dir, file);
  return r.startsWith('..') || path.isAbsolute(r) ? file : `./${r}`;
}
