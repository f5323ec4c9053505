import { describe, expect, it } from 'vitest';
import { SERVE_BLOCK } from '../../src/commands/init-write.js';
import { parseConfigText } from '../../src/config/load.js';
import { LlamaTopError } from '../../src/protocol/errors.js';

const load = (yaml: string) => parseConfigText(yaml, '/cfg/llama-top.yaml', () => '/state/logs');

function configError(yaml: string): string {
  try {
    load(yaml);
  } catch (error) {
    expect(error).toBeInstanceOf(LlamaTopError);
    expect((error as LlamaTopError).code).toBe('CONFIG');
    return (error as Error).message;
  }
  throw new Error('the config loaded');
}

const llama = (name: string, port: number, extra = '') => `  ${name}:\n    kind: llama-server\n    model: ./${name}.gguf\n    port: ${port}\n${extra}`;

describe('serve: config', () => {
  it('reads serve: and the per-service models, group and idleStop', () => {
    const config = load(`serve:\n  listen: 127.0.0.1:8080\n  apiKeys: [sk-local-123456]\nservices:\n${llama('alpha', 9001, '    models: [alpha, tiny-a]\n    group: gpu0\n    idleStop: 10m\n    autostart: false\n')}`);
    expect(config.serve).toEqual({ host: '127.0.0.1', port: 8080, allowRemote: false, apiKeys: ['sk-local-123456'] });
    expect(config.services[0]).toMatchObject({ models: ['alpha', 'tiny-a'], group: 'gpu0', idleStopMs: 600_000 });
  });

  it('listens on loopback only unless allowRemote', () => {
    expect(configError(`serve:\n  listen: 0.0.0.0:8080\nservices:\n${llama('a', 9001)}`)).toMatch(
      /^\/cfg\/llama-top.yaml:2:11 serve.listen: 0.0.0.0 is not a loopback address: the endpoint would be reachable from other machines; listen on 127.0.0.1, or set serve.allowRemote: true$/,
    );
    expect(load(`serve:\n  listen: 0.0.0.0:8080\n  allowRemote: true\nservices:\n${llama('a', 9001)}`).serve?.allowRemote).toBe(true);
  });

  it('refuses a port a service has, a model name two services claim, and two autostarting members of a group', () => {
    expect(configError(`serve:\n  listen: 127.0.0.1:9001\nservices:\n${llama('a', 9001)}`)).toMatch(/serve.listen: port 9001 is also services.a.port: give the endpoint a port of its own$/);
    expect(configError(`serve:\n  listen: 127.0.0.1:8080\nservices:\n${llama('a', 9001, '    models: [m]\n')}${llama('b', 9002, '    models: [m]\n')}`)).toMatch(
      /services.b.models: "m" is also a model of service a: a name routes to one service; take it out of one of the two lists$/,
    );
    expect(configError(`services:\n${llama('a', 9001, '    group: g\n')}${llama('b', 9002, '    group: g\n')}`)).toMatch(
      /services.b.autostart: a of group g autostarts too, and one service of a group runs at a time: set autostart: false on all but one$/,
    );
    expect(configError(`serve:\n  listen: 127.0.0.1:8080\n  apiKeys: [short]\nservices:\n${llama('a', 9001)}`)).toMatch(/serve.apiKeys.0: an API key has at least 8 characters/);
  });

  it("refuses a models: entry that is another service's default name (its name or its model file's name), wherever it stands", () => {
    // alpha takes beta's name: before, it was silently routed to alpha and beta was reached only as beta.gguf.
    expect(configError(`serve:\n  listen: 127.0.0.1:8080\nservices:\n${llama('alpha', 9001, '    models: [alpha, beta]\n')}${llama('beta', 9002)}`)).toMatch(
      /^\/cfg\/llama-top.yaml:\d+:\d+ services.alpha.models: "beta" is also the name of service beta \(served by default: it has no models: list\): a name routes to one service; take it out of services.alpha.models, or give services.beta a models: list of its own$/,
    );
    // The same when the list comes after the service whose name it takes, and for a model file's name.
    expect(configError(`serve:\n  listen: 127.0.0.1:8080\nservices:\n${llama('beta', 9002)}${llama('alpha', 9001, '    models: [beta.gguf]\n')}`)).toMatch(
      /services.alpha.models: "beta.gguf" is also service beta's model file name \(served by default: it has no models: list\): a name routes to one service; take it out of services.alpha.models, or give services.beta a models: list of its own$/,
    );
    // A service named like another's model file.
    expect(configError(`serve:\n  listen: 127.0.0.1:8080\nservices:\n${llama('a', 9001)}  a.gguf:\n    kind: llama-server\n    model: ./b.gguf\n    port: 9002\n`)).toMatch(/"a.gguf" is also .*service a's model file name/);
    // Once beta lists its own names, alpha may take "beta"; two services on one model file still load (each has its name).
    expect(load(`serve:\n  listen: 127.0.0.1:8080\nservices:\n${llama('alpha', 9001, '    models: [alpha, beta]\n')}${llama('beta', 9002, '    models: [beta-q4]\n')}`).services).toHaveLength(2);
    const shared = (name: string, port: number) => `  ${name}:\n    kind: llama-server\n    model: ./same.gguf\n    port: ${port}\n`;
    expect(load(`serve:\n  listen: 127.0.0.1:8080\nservices:\n${shared('a', 9001)}${shared('b', 9002)}`).services).toHaveLength(2);
  });

  it("init's commented serve: block is a valid config once uncommented", () => {
    const block = SERVE_BLOCK.filter((l) => /^# {0,3}(serve:|  \w)/.test(l)).map((l) => l.replace(/^# /, ''));
    expect(block[0]).toBe('serve:');
    const config = load(`${block.join('\n')}\nservices:\n${llama('a', 9001)}`);
    expect(config.serve).toEqual({ host: '127.0.0.1', port: 8080, allowRemote: false, apiKeys: ['sk-change-me'] });
  });
});
