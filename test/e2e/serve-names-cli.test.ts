import { afterEach, describe, expect, it } from 'vitest';
import { cleanupAll, REAL_LLAMA_SERVER } from '../helpers/stack.js';
import { makeServeStack } from '../helpers/serve-stack.js';

afterEach(cleanupAll);

describe(`the CLI names the serve endpoint's pieces (${REAL_LLAMA_SERVER ? 'real llama-server' : 'fixture'})`, () => {
  it('logs --help and an unknown name mention `serve`; models shows the names clients send', async () => {
    const stack = await makeServeStack([{ name: 'alpha', models: ['alpha', 'a'] }, { name: 'beta' }]);
    const help = await stack.cli(['logs', '--help']);
    expect(help.stdout).toMatch(/logs serve .*the serve endpoint's log/);
    const unknown = await stack.cli(['logs', 'nosuch']);
    expect(unknown.exitCode).not.toBe(0);
    expect(unknown.stderr).toMatch(/unknown service "nosuch" .*\(services: alpha, beta; serve: the serve endpoint's log\)/);

    expect((await stack.cli(['start'])).exitCode).toBe(0);
    const models = await stack.cli(['models']);
    expect(models.stdout).toMatch(new RegExp(`^  send as +alpha, a \\(the "model" of a request to ${stack.serveUrl.replace(/\./g, '\\.')}/v1\\)$`, 'm'));
    expect(models.stdout).toMatch(/^  send as +beta, tiny\.gguf /m);
    const json = JSON.parse((await stack.cli(['models', '--json'])).stdout);
    expect(json.serve).toEqual({ url: stack.serveUrl, names: { alpha: ['alpha', 'a'], beta: ['beta', 'tiny.gguf'] } });
  });
});
