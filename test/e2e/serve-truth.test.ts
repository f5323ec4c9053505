import fs from 'node:fs';
import { afterEach, describe, expect, it } from 'vitest';
import { makeServeStack } from '../helpers/serve-stack.js';
import { cleanupAll } from '../helpers/stack.js';

afterEach(cleanupAll);

describe('serve: what reload and status tell', () => {
  it("a reload whose models: list takes another service's default name is refused, and nothing changes", async () => {
    const stack = await makeServeStack([{ name: 'alpha' }, { name: 'beta' }]);
    expect((await stack.cli(['start'])).exitCode).toBe(0);
    fs.writeFileSync(stack.configFile, fs.readFileSync(stack.configFile, 'utf8').replace('  alpha:\n', '  alpha:\n    models: [alpha, beta]\n'));
    const reload = await stack.cli(['reload']);
    expect(reload.exitCode).toBe(2);
    expect(reload.stderr).toMatch(/llama-top\.yaml:\d+:\d+ services\.alpha\.models: "beta" is also the name of service beta .*take it out of services\.alpha\.models, or give services\.beta a models: list of its own/);
    const models = await (await fetch(`${stack.serveUrl}/v1/models`)).json();
    expect(models.data.find((m: { id: string }) => m.id === 'beta')).toMatchObject({ service: 'beta' });
  }, 60_000);
});
