import type { ServiceConfig } from '../config/types.js';

/** `names` plus everything they depend on, dependencies before dependents. Pure; the config has no cycles. */
export function dependencyOrder(services: ServiceConfig[], names: string[]): string[] {
  const byName = new Map(services.map((s) => [s.name, s]));
  const order: string[] = [];
  const seen = new Set<string>();
  const visit = (name: string) => {
    if (seen.has(name)) return;
    seen.add(name);
    for (const dep of byName.get(name)?.dependsOn ?? []) visit(dep);
    order.push(name);
  };
  for (const name of names) visit(name);
  return order;
}
