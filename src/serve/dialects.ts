import type { ServerResponse } from 'node:http';
import type { DialectHandler, ServeError } from './contract.js';
import { OLLAMA_ERRORS, OLLAMA_ROUTES } from './ollama/routes.js';

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

/** A dialect's errors: the paths that are its own, and how it says an error (ollama: `{"error": "..."}`). */
export interface DialectErrors {
  owns(path: string): boolean;
  /** Any error a handler threw → the status and message the dialect's clients read. */
  asError(error: unknown): ServeError;
  send(res: ServerResponse, error: ServeError, headers?: Record<string, string>): void;
}

/** The dialects whose paths answer errors in their own shape; every other path answers in OpenAI's. */
export const DIALECT_ERRORS: DialectErrors[] = [OLLAMA_ERRORS];

/** The errors of the dialect that owns `path`, or null (OpenAI's shape). Pure. */
export const dialectErrorsFor = (path: string, dialects: DialectErrors[] = DIALECT_ERRORS): DialectErrors | null => dialects.find((d) => d.owns(path)) ?? null;

/** The route for `method path`, or null. Pure. */
export const findDialectRoute = (method: string, path: string, routes: DialectRoute[] = DIALECT_ROUTES): DialectRoute | null =>
  routes.find((r) => r.method === method && r.path === path) ?? null;
