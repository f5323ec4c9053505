import type { DialectHandler } from './contract.js';
import { OLLAMA_ROUTES } from './ollama/routes.js';

/** A dialect's route on the serve endpoint: the endpoint picks the handler by method + exact path. */
export interface DialectRoute {
  method: 'GET' | 'POST' | 'DELETE' | 'HEAD';
  path: string;
  handler: DialectHandler;
}

export const DIALECT_ROUTES: DialectRoute[] = [...OLLAMA_ROUTES];
