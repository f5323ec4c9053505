import type { ServiceConfig } from '../config/types.js';
import { serverKind } from '../kinds/index.js';
import type { ServedModel } from './contract.js';
import { accepts } from './readiness.js';
import { configuredNames, isServedService } from './served-names.js';

const ASKED_FOR_MS = 2000;

/**
 * Which model name goes to which service: the names of each LLM service's config, and those a running server says
 * it has (ollama's `/api/tags`, asked at most every 2 s).
 */
export class ModelCatalog {
  private readonly asked = new Map<string, { at: number; names: string[] }>();

  /** The names the config gives, by the config they came from (rebuilt when a reload replaces it). */
  private configured: { from: ServiceConfig[]; byName: Map<string, ServiceConfig> } | null = null;

  constructor(
    private readonly services: () => ServiceConfig[],
    private readonly stateOf: (service: string) => string,
  ) {}

  async models(): Promise<ServedModel[]> {
    const states = new Map(this.services().map((s) => [s.name, this.stateOf(s.name)]));
    const out: ServedModel[] = [];
    const seen = new Set<string>();
    const add = (svc: ServiceConfig, name: string) => {
      if (seen.has(name)) return;
      seen.add(name);
      out.push({ name, service: svc.name, kind: svc.kind, state: states.get(svc.name) ?? 'stopped', file: svc.model ?? null });
    };
    const served = this.services().filter(isServedService);
    for (const svc of served) for (const name of configuredNames(svc)) add(svc, name);
    const asked = await Promise.all(served.map((svc) => this.askServer(svc, states.get(svc.name) ?? 'stopped')));
    served.forEach((svc, i) => asked[i]!.forEach((name) => add(svc, name)));
    return out;
  }

  /** `name`, or ollama's `name:latest` for a bare name. A name of the config is answered without asking a server. */
  async resolve(name: string): Promise<ServedModel | null> {
    const svc = this.byConfig().get(name);
    if (svc) return { name, service: svc.name, kind: svc.kind, state: this.stateOf(svc.name), file: svc.model ?? null };
    const models = await this.models();
    return models.find((m) => m.name === name) ?? (name.includes(':') ? null : (models.find((m) => m.name === `${name}:latest`) ?? null));
  }

  private byConfig(): Map<string, ServiceConfig> {
    const services = this.services();
    if (this.configured?.from !== services) {
      const byName = new Map<string, ServiceConfig>();
      for (const svc of services.filter(isServedService)) for (const name of configuredNames(svc)) if (!byName.has(name)) byName.set(name, svc);
      this.configured = { from: services, byName };
    }
    return this.configured.byName;
  }

  private async askServer(svc: ServiceConfig, state: string): Promise<string[]> {
    const ask = serverKind(svc.kind)?.servedNames;
    if (!ask || svc.port === undefined || !accepts(state)) return [];
    const cached = this.asked.get(svc.name);
    if (cached && Date.now() - cached.at < ASKED_FOR_MS) return cached.names;
    const names = await ask(svc.host, svc.port).catch(() => cached?.names ?? []);
    this.asked.set(svc.name, { at: Date.now(), names });
    return names;
  }
}
