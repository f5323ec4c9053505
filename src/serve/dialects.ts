import type { DialectHandler } from './contract.js';
import { OLLAMA_ROUTES } from './ollama/routes.js';

/** One route of an API dialect (ollama's `/api/*`): method + exact path → handler. */
export interface DialectRoute {
  /** ollama's API has `DELETE /api/delete` and `HEAD /` besides its GETs and POSTs. */
  method: 'GET' | 'POST' | 'DELETE' | 'HEAD';
  path: string;
  handler: DialectHandler;
}

/**
 * The dialects' routes, consulted before the endpoint's own (a path with none here that starts with a server's own
 * API prefix, ollama's `/api/`, is passed through to that server). A dialect adds its lines here.
 */
export const DIALECT_ROUTES: DialectRoute[] = [...OLLAMA_ROUTES];

/** The route for `method path`, or null. Pure. */
export const findDialectRoute = (method: string, path: string, routes: DialectRoute[] = DIALECT_ROUTES): DialectRoute | null =>
  routes.find((r) => r.method === method && r.path === path) ?? null;
