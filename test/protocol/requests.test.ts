import { fileURLToPath } from 'node:url';
import ts from 'typescript';
import { describe, expect, it } from 'vitest';
import { HANDLERS } from '../../src/daemon/handlers/index.js';
import type { HandlerContext } from '../../src/daemon/handlers/context.js';
import { parseParams, parseRequest, REQUEST_TYPES, type Handlers } from '../../src/protocol/requests.js';

describe('the request table', () => {
  it('parses a request with its defaults applied and keeps only its own keys', () => {
    expect(parseRequest({ id: 3, type: 'logs', names: ['llama'], lines: 20, extra: 1 })).toEqual({
      ok: true,
      request: { id: 3, type: 'logs', names: ['llama'], lines: 20, sinceMs: null, times: false, probes: true },
    });
    expect(parseRequest({ id: 4, type: 'reload' })).toEqual({ ok: true, request: { id: 4, type: 'reload', config: null } });
    expect(parseParams('backend-report', {})).toEqual({ ok: true, params: { health: false } });
  });

  it('rejects a request whose params do not check, naming the key and the type', () => {
    expect(parseRequest({ id: 5, type: 'log-tail', name: 'llama' })).toEqual({ ok: false, id: 5, error: 'request.lines must be a number of lines (log-tail)' });
    expect(parseRequest({ id: 6, type: 'set-env', name: 'chat', env: { A: 1 } })).toMatchObject({ ok: false, id: 6, error: expect.stringMatching(/^request\.env.*\(set-env\)$/) });
    expect(parseRequest({ id: 7, type: 'reload', config: { services: [] } })).toMatchObject({ ok: false, error: expect.stringMatching(/request\.config must be the validated config/) });
    expect(parseRequest({ id: 8, type: ['status'] })).toEqual({ ok: false, id: 8, error: 'request.type must be a string, not an array' });
    expect(parseRequest({ id: 9, type: 'constructor' })).toEqual({ ok: false, id: 9, error: 'unknown request type "constructor"' });
  });

  it('has a daemon handler for every request type, and nothing else', () => {
    expect(Object.keys(HANDLERS).sort()).toEqual([...REQUEST_TYPES].sort());
  });

  it('fails to compile a handler table that misses a type', () => {
    const { status: _dropped, ...rest } = HANDLERS;
    // @ts-expect-error: 'status' is missing, and the table must have every request type
    const missing: Handlers<HandlerContext> = rest;
    expect(Object.keys(missing)).not.toContain('status');
  });

  it('the @ts-expect-error above holds: this file type-checks, so the compiler did reject the table missing a type', () => {
    const file = fileURLToPath(import.meta.url);
    const program = ts.createProgram([file], { strict: true, noEmit: true, skipLibCheck: true, module: ts.ModuleKind.NodeNext, moduleResolution: ts.ModuleResolutionKind.NodeNext, target: ts.ScriptTarget.ES2022, jsx: ts.JsxEmit.ReactJSX });
    const errors = ts.getPreEmitDiagnostics(program, program.getSourceFile(file)).map((d) => ts.flattenDiagnosticMessageText(d.messageText, '\n'));
    expect(errors).toEqual([]); // an unused @ts-expect-error would be reported here
  }, 120_000);
});
