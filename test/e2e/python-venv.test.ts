import fs from 'node:fs';
import path from 'node:path';
import { execa } from 'execa';
import { afterEach, describe, expect, it } from 'vitest';
import { cleanupAll, CLI, fixture, makeStack, NODE } from '../helpers/stack.js';

afterEach(cleanupAll);

const hasVenv = (await execa('python3', ['-m', 'venv', '--help'], { reject: false })).exitCode === 0;
const why = hasVenv ? '' : ' (skipped: python3 -m venv is not available; Debian: apt-get install python3-venv)';

/**
 * A Chat-O-Llama-shaped app whose one dependency, chatdeps, lives only in its ./venv (made by python3 -m venv,
 * with the distribution's metadata, as pip would leave it): the system python3 cannot run it.
 */
async function chatApp(dir: string, port: number): Promise<void> {
  fs.mkdirSync(dir, { recursive: true });
  fs.writeFileSync(path.join(dir, 'app.py'), `import chatdeps  # installed in ./venv only\n${fs.readFileSync(fixture('chat-o-llama/app.py'), 'utf8')}`);
  fs.writeFileSync(path.join(dir, 'requirements.txt'), '# what install.sh puts in the venv\nchatdeps>=1.0\n');
  fs.writeFileSync(path.join(dir, 'config.json'), JSON.stringify({ backend: { active: 'llamacpp' }, llamacpp: { model_path: './llama_models' }, server: { port } }));
  await execa('python3', ['-m', 'venv', '--without-pip', path.join(dir, 'venv')]);
  const site = (await execa(path.join(dir, 'venv', 'bin', 'python'), ['-c', "import sysconfig; print(sysconfig.get_paths()['purelib'])"])).stdout.trim();
  fs.writeFileSync(path.join(site, 'chatdeps.py'), 'VERSION = "1.0"\n');
  fs.mkdirSync(path.join(site, 'chatdeps-1.0.dist-info'));
  fs.writeFileSync(path.join(site, 'chatdeps-1.0.dist-info', 'METADATA'), 'Metadata-Version: 2.1\nName: chatdeps\nVersion: 1.0\n');
}

describe(`a Python app in its own virtual environment${why}`, () => {
  it.skipIf(!hasVenv)('init runs it with its venv python, and it starts; with the system python3 doctor says why it cannot, and start says so', async () => {
    const stack = await makeStack(() => 'services:\n  placeholder: { kind: process, command: "true" }\n', 1);
    const project = path.join(stack.dir, 'project');
    await chatApp(path.join(project, 'chat'), stack.ports[0]!);
    expect((await execa('python3', ['-c', 'import chatdeps'], { reject: false })).exitCode).not.toBe(0); // the premise
    const cli = (args: string[]) => execa(NODE, [CLI, ...args], { cwd: project, env: { ...stack.env, PATH: '/usr/local/bin:/usr/bin:/bin' }, reject: false, stdin: 'ignore' });

    const init = await cli(['init']);
    expect(init.exitCode).toBe(0);
    expect(init.stdout).toMatch(/chat: runs with \.\/venv\/bin\/python \(the app's virtual environment \(\.\/venv\) has its packages\)/);
    const yaml = fs.readFileSync(path.join(project, 'llama-top.yaml'), 'utf8');
    expect(yaml).toMatch(/# the app's virtual environment \(\.\/venv\) has its packages\n {4}command: \["\.\/venv\/bin\/python","app\.py"\]/);
    // the current backend (llamacpp, served inside the app) is a choice, with the app's own check
    expect(yaml).toMatch(/ {4}llamacpp: null {3}# inside the app/);
    expect(yaml).toMatch(/ {4}llamacpp: \{ command: \["\.\/venv\/bin\/python","-c",/);
    try {
      const start = await cli(['start']);
      expect(start.stdout, start.stderr).toMatch(/✓ chat ready/);
      expect(start.exitCode).toBe(0);
      const doctor = await cli(['doctor']);
      expect(doctor.stdout).toMatch(/✓ chat packages: .*venv\/bin\/python has the 1 packages of requirements\.txt/);
      // the app's own check of llamacpp: no llama_cpp in this venv
      const health = await cli(['backend', 'health', 'llamacpp']);
      expect(health.stdout).toMatch(/✗ llamacpp\s+served by the app\s+llama-cpp-python package is required/);
      expect((await cli(['stop'])).exitCode).toBe(0);

      // The same app run by the system python3, as `init` wrote it before:
      fs.writeFileSync(path.join(project, 'llama-top.yaml'), yaml.replace('["./venv/bin/python","app.py"]', 'python3 app.py'));
      const doctorSystem = await cli(['doctor']);
      expect(doctorSystem.exitCode).toBe(1);
      expect(doctorSystem.stdout).toMatch(/! chat python: runs the system python3 while .*\/chat\/venv\/bin\/python is here: use it \(command: \[\.\/venv\/bin\/python, app\.py\]\)/);
      expect(doctorSystem.stdout).toMatch(/✗ chat packages: \/\S+python3 lacks chatdeps \(from requirements\.txt\): run the app with \.\/venv\/bin\/python/);
      const failed = await cli(['start', 'chat']);
      expect(failed.exitCode).toBe(1);
      expect(failed.stdout).toMatch(/✗ chat: exited with code 1: ModuleNotFoundError: No module named 'chatdeps' \(python3 has no module chatdeps, but \.\/venv\/bin\/python is here: run the app with it/);
    } finally {
      await cli(['daemon', 'stop', '--all']);
    }
  });
});
