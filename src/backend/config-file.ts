import fs from 'node:fs';
import { applyEdits, modify, parse, printParseErrorCode, type ParseError } from 'jsonc-parser';
import { writeFileAtomic } from '../shared/write-file-atomic.js';
import { LlamaTopError } from '../protocol/errors.js';

function parseOrThrow(file: string, text: string): unknown {
  const errors: ParseError[] = [];
  const value = parse(text, errors, { allowTrailingComma: false, disallowComments: false });
  if (errors.length) {
    const { error, offset } = errors[0]!;
    const before = text.slice(0, offset).split('\n');
    throw new LlamaTopError('FAILED', `${file}:${before.length}:${before.at(-1)!.length + 1}: not valid JSON (${printParseErrorCode(error)}); the file was left untouched`, 'fix the file, then switch again');
  }
  return value;
}

function readText(file: string): string {
  try {
    return fs.readFileSync(file, 'utf8');
  } catch (error) {
    throw new LlamaTopError('FAILED', `cannot read the chat app's config ${file}: ${(error as NodeJS.ErrnoException).code ?? (error as Error).message}`);
  }
}

/** The value at dotted `key` (e.g. backend.active) in a JSON file; null when the key is absent. */
export function readBackendValue(file: string, key: string): string | null {
  let node: unknown = parseOrThrow(file, readText(file));
  for (const part of key.split('.')) {
    if (typeof node !== 'object' || node === null) return null;
    node = (node as Record<string, unknown>)[part];
  }
  return node === undefined || node === null ? null : String(node);
}

/** Rewrites only `key`, keeping every other byte of the file, atomically (write, fsync, rename). */
export function writeBackendValue(file: string, key: string, value: string): void {
  const text = readText(file);
  parseOrThrow(file, text);
  const indent = /\n(\t| +)"/.exec(text)?.[1] ?? '  ';
  const edits = modify(text, key.split('.'), value, { formattingOptions: { insertSpaces: indent !== '\t', tabSize: indent === '\t' ? 1 : indent.length } });
  const mode = fs.statSync(file).mode & 0o777;
  writeFileAtomic(file, applyEdits(text, edits));
  fs.chmodSync(file, mode);
}
