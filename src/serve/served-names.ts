import path from 'node:path';
import type { ServiceConfig } from '../config/types.js';
import { serverKind } from '../kinds/index.js';

/** Is it a service the endpoint routes to (an LLM server kind)? Pure. */
export const isServedService = (svc: ServiceConfig): boolean => serverKind(svc.kind) !== undefined;

/** The names its config gives it: its `models:` list, else its name and its model file's basename. Pure. */
export function configuredNames(svc: ServiceConfig): string[] {
  if (svc.models?.length) return [...svc.models];
  const names = [svc.name];
  if (svc.model) names.push(path.basename(svc.model));
  return [...new Set(names)];
}

/** The group whose members run one at a time; a service without `group:` is a group of its own. Pure. */
export const groupKey = (svc: ServiceConfig): string => svc.group ?? `service:${svc.name}`;
