import { ServeError } from '../contract.js';
import type { DialectErrors, DialectRoute } from '../dialects.js';
import { ollamaErrorOf, sendOllamaError } from './reply.js';
import { ps, root, show, tags, version } from './catalog-routes.js';
import { embed, embeddings } from './embed.js';
import { chat, generate } from './generate.js';
import { copy, create, pull, push, remove } from './unsupported.js';

/**
 * ollama's paths (its API under `/api/`, and `/` where clients look for it) answer every error in ollama's shape,
 * `{"error": "..."}`, the 401 of a missing key and the 413 of a body too large included.
 */
export const OLLAMA_ERRORS: DialectErrors = {
  owns: (path) => path === '/' || path.startsWith('/api/'),
  asError: (error) => {
    if (error instanceof ServeError) return error;
    const { status, message } = ollamaErrorOf(error);
    return new ServeError(status, message);
  },
  send: (res, error, headers) => sendOllamaError(res, error.status, error.message, headers),
};

/** ollama's API on the serve endpoint, for every model whichever service serves it (README: "ollama's API for every model"). */
export const OLLAMA_ROUTES: DialectRoute[] = [
  { method: 'GET', path: '/', handler: root },
  { method: 'HEAD', path: '/', handler: root },
  { method: 'GET', path: '/api/version', handler: version },
  { method: 'GET', path: '/api/tags', handler: tags },
  { method: 'GET', path: '/api/ps', handler: ps },
  { method: 'POST', path: '/api/show', handler: show },
  { method: 'POST', path: '/api/generate', handler: generate },
  { method: 'POST', path: '/api/chat', handler: chat },
  { method: 'POST', path: '/api/embed', handler: embed },
  { method: 'POST', path: '/api/embeddings', handler: embeddings },
  { method: 'POST', path: '/api/pull', handler: pull },
  { method: 'POST', path: '/api/push', handler: push },
  { method: 'POST', path: '/api/create', handler: create },
  { method: 'POST', path: '/api/copy', handler: copy },
  { method: 'DELETE', path: '/api/delete', handler: remove },
];
