import type { ServeConfig } from '../config/types.js';
import { llamaTopDaemon } from '../process/daemon-process.js';
import { describePortHolder, findPortHolder } from '../process/ports.js';
import type { PortTaken } from './listen-retry.js';

/** Who holds the port serve.listen names, and what the user can do: the endpoint of `configFile` cannot listen there. */
export async function portTaken(config: ServeConfig, configFile: string): Promise<PortTaken> {
  const { host, port } = config;
  const change = `change serve.listen in ${configFile}, then llama-top reload`;
  const holder = await findPortHolder(port, host);
  if (!holder) return { holder: `port ${port} is in use (its holder was gone by the time it was looked up)`, wait: false, hint: `try again, or ${change}` };
  const daemon = holder.pid === null ? null : llamaTopDaemon(holder.pid);
  if (daemon)
    return {
      holder: `port ${port} is held by pid ${daemon.pid}, the llama-top daemon of ${daemon.configFile}`,
      wait: true,
      hint: `stop that daemon (llama-top daemon stop --config ${daemon.configFile}) or ${change}`,
    };
  return { holder: describePortHolder(port, holder), wait: false, hint: `stop it or ${change}` };
}
