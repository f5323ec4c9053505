import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { parseConfigText } from '../../src/config/load.js';
import { ServeEndpoint } from '../../src/serve/endpoint.js';
import { BODY_LIMITS, type BodyLimits } from '../../src/serve/request-body.js';
import { Supervisor } from '../../src/supervisor/supervisor.js';

export interface Refusal {
  model: string;
  service: string;
  status: number;
  message: string;
}

const opened: Array<{ endpoint: ServeEndpoint; supervisor: Supervisor }> = [];

/** Closes every endpoint the tests opened. */
export async function closeEndpoints(): Promise<void> {
  for (const { endpoint, supervisor } of opened.splice(0)) {
    await endpoint.close();
    supervisor.dispose();
  }
}

/**
 * The real serve endpoint in this process, on a free loopback port, over a supervisor of `services` (YAML lines
 * under `services:`; none is started here), with the body limits given; `refused` collects what its hooks were told.
 */
export async function openEndpoint(options: { limits?: Partial<BodyLimits>; apiKeys?: string[]; services?: string } = {}) {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'lt-serve-'));
  const yaml = `name: endpoint-test\nserve:\n  listen: 127.0.0.1:9\nservices:\n${options.services ?? '  app:\n    kind: process\n    command: [sleep, "1000"]\n    autostart: false\n'}`;
  const config = parseConfigText(yaml, path.join(dir, 'llama-top.yaml'), () => path.join(dir, 'logs'));
  const supervisor = new Supervisor(config);
  const refused: Refusal[] = [];
  const endpoint = new ServeEndpoint(
    { ...config.serve!, port: 0, apiKeys: options.apiKeys ?? [] },
    supervisor,
    {
      refused: (r) => refused.push({ model: r.model, service: r.service, status: r.status, message: r.message }),
      served: () => undefined,
      swapped: () => undefined,
      idleStopped: () => undefined,
      queueChanged: () => undefined,
      metricsText: () => '',
    },
    { ...BODY_LIMITS, ...options.limits },
  );
  await endpoint.listen();
  opened.push({ endpoint, supervisor });
  const port = Number(new URL(endpoint.url).port);
  return { endpoint, url: endpoint.url, port, refused };
}
