import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { execa } from 'execa';
import { afterEach, describe, expect, it } from 'vitest';
import { answers, findFreePorts, fixture, waitFor } from '../helpers/stack.js';

const dirs: string[] = [];
afterEach(() => {
  for (const d of dirs.splice(0)) fs.rmSync(d, { recursive: true, force: true });
});

// .ci/run puts the ollama stand-in on PATH as a symbolic link (ln -sf test/fixtures/bin/ollama $ci_bin/ollama):
// `ollama serve` from there must run the fixture server, as a user's `ollama serve` runs theirs.
describe("CI's ollama stand-in, linked onto PATH", () => {
  it('ollama serve through the link answers /api/version on OLLAMA_HOST; --version names the stand-in', async () => {
    const bin = fs.mkdtempSync(path.join(os.tmpdir(), 'lt-ci-bin-'));
    dirs.push(bin);
    fs.symlinkSync(fixture('bin/ollama'), path.join(bin, 'ollama'));
    const env = { PATH: `${bin}:${process.env.PATH}` };
    const version = await execa('ollama', ['--version'], { env, reject: false });
    expect(version.stdout).toMatch(/^ollama version is \d+\.\d+\.\d+ \(llama-top CI stand-in\)$/);
    const [port] = await findFreePorts(1);
    const serve = execa('ollama', ['serve'], { env: { ...env, OLLAMA_HOST: `127.0.0.1:${port}` }, reject: false, all: true });
    try {
      await waitFor(() => answers(port!, '/api/version'), `the stand-in answering on ${port}`, 20_000);
    } finally {
      serve.kill('SIGKILL');
      const run = await serve;
      expect(run.all ?? '').not.toMatch(/Cannot find module/);
    }
  });
});
