import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { execa } from 'execa';
import { describe, expect, it } from 'vitest';
import { CLI, fixture, NODE, TINY_GGUF } from '../helpers/stack.js';

describe('init', () => {
  it("writes a serve: block on a port no service of the config uses (llama's is 8080), and says so", async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'lt-init-serve-'));
    try {
      const bin = path.join(dir, 'bin');
      fs.mkdirSync(bin);
      fs.writeFileSync(path.join(bin, 'llama-server'), `#!/bin/sh\nexec '${NODE}' '${fixture('fake-llama-server.mjs')}' "$@"\n`, { mode: 0o755 });
      const project = path.join(dir, 'project');
      fs.mkdirSync(path.join(project, 'models'), { recursive: true });
      fs.copyFileSync(TINY_GGUF, path.join(project, 'models', 'tiny.gguf'));
      const env = { PATH: `${bin}:/usr/bin:/bin`, XDG_STATE_HOME: path.join(dir, 'state'), XDG_RUNTIME_DIR: path.join(dir, 'run'), NO_COLOR: '1', LLAMA_TOP_CONFIG: '' };
      const init = await execa(NODE, [CLI, 'init'], { cwd: project, env, extendEnv: false, reject: false, stdin: 'ignore' });
      expect(init.exitCode, init.stderr).toBe(0);
      const text = fs.readFileSync(path.join(project, 'llama-top.yaml'), 'utf8');
      expect(text).toMatch(/^ {4}port: 8080$/m);
      const port = Number(/^# {3}listen: 127\.0\.0\.1:(\d+)$/m.exec(text)?.[1]);
      expect(port).toBeGreaterThan(8080);
      expect(init.stdout).toMatch(new RegExp(`^  serve: 8080 is taken \\(.*services\\.llama\\.port.*\\), so the serve: block listens on 127\\.0\\.0\\.1:${port}$`, 'm'));
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });
});
