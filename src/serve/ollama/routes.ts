import type { DialectRoute } from '../dialects.js';
import { ps, root, show, tags, version } from './catalog-routes.js';
import { embed, embeddings } from './embed.js';
import { chat, generate } from './generate.js';
import { copy, create, pull, push, remove } from './unsupported.js';

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
