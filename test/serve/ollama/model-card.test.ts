import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { factsOf, NEVER, runningOf, showOf, tagOf } from '../../../src/serve/ollama/model-card.js';
import { TINY_GGUF } from '../../helpers/stack.js';

const served = { name: 'tiny', service: 'llama', kind: 'llama-server', state: 'stopped', file: TINY_GGUF };

describe('ollama model cards from the GGUF header', () => {
  it('an /api/tags entry: size, time and details from the file', () => {
    const tag = tagOf(served, factsOf(TINY_GGUF));
    expect(tag).toEqual({
      name: 'tiny',
      model: 'tiny',
      modified_at: fs.statSync(TINY_GGUF).mtime.toISOString(),
      size: 9246112,
      details: { parent_model: '', format: 'gguf', family: 'llama', families: ['llama'], parameter_size: '4.18M', quantization_level: 'F16' },
    });
  });

  it('an /api/ps entry: expires_at is the idle stop, or never', () => {
    expect(runningOf({ model: served, idleStopAt: Date.parse('2026-12-05T08:00:00Z') }, null)).toMatchObject({ name: 'tiny', expires_at: '2026-12-05T08:00:00.000Z' });
    expect(runningOf({ model: served, idleStopAt: null }, null).expires_at).toBe(NEVER);
  });

  it('/api/show: the metadata as model_info, the chat template, the file it comes from', () => {
    const card = showOf(served, factsOf(TINY_GGUF));
    expect(card.model_info).toMatchObject({ 'general.architecture': 'llama', 'llama.block_count': 2, 'llama.context_length': 512, 'general.parameter_count': 4178240 });
    expect(card.template).toBe(''); // the tiny model carries no tokenizer.chat_template (llama-server falls back to chatml)
    expect(card.modelfile).toContain(`FROM ${TINY_GGUF}`);
    expect(card.details).toMatchObject({ family: 'llama', quantization_level: 'F16' });
  });

  it('a file that is missing or no GGUF is listed with what is known, never an error', () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'lt-card-'));
    const bad = path.join(dir, 'notes.gguf');
    fs.writeFileSync(bad, 'not a model');
    expect(tagOf({ ...served, file: bad }, factsOf(bad))).toMatchObject({ size: 11, details: { format: '', family: '' } });
    expect(tagOf({ ...served, file: null, kind: 'ollama' }, factsOf(null))).toMatchObject({ size: 0, modified_at: '1970-01-01T00:00:00.000Z' });
    fs.rmSync(dir, { recursive: true });
  });
});
