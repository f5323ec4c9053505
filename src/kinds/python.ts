import fs from 'node:fs';
import path from 'node:path';

/**
 * What llama-top knows about Python apps: they run in their own virtual environment (Chat-O-Llama's install.sh
 * makes ./venv with uv), and a system python3 lacks their packages. Used by init, doctor and the exit hint.
 */

const VENV_DIRS = ['venv', '.venv'];
const PYTHON = /^python(\d+(\.\d+)?)?$/;

/** `venv/bin/python` or `.venv/bin/python` beside the app (relative to `dir`), when there is one. */
export function findVenvPython(dir: string): string | null {
  for (const venv of VENV_DIRS) {
    const python = path.join(venv, 'bin', 'python');
    try {
      fs.accessSync(path.join(dir, python), fs.constants.X_OK);
      return `./${python}`;
    } catch {
      // not this one
    }
  }
  return null;
}

export interface PythonCommand {
  argv: string[];
  /** Why this interpreter, for a comment in the written config. */
  why: string;
}

/** The interpreter an app in `dir` should run with: its venv's, else `uv run` for a uv project, else python3. */
export function pythonCommandFor(dir: string, entry: string, uvOnPath: boolean): PythonCommand {
  const venv = findVenvPython(dir);
  if (venv) return { argv: [venv, entry], why: `the app's virtual environment (${path.dirname(path.dirname(venv))}) has its packages` };
  if (uvOnPath && fs.existsSync(path.join(dir, 'pyproject.toml')) && fs.existsSync(path.join(dir, 'uv.lock')))
    return { argv: ['uv', 'run', 'python', entry], why: 'a uv project (pyproject.toml + uv.lock) without a venv yet: uv run makes it' };
  return { argv: ['python3', entry], why: 'no venv/ or .venv/ here: the system python3 (it needs the app\'s packages installed)' };
}

/** Is `program` (a path or a name) a Python interpreter: python, python3, python3.11? Pure. */
export function isPythonProgram(program: string): boolean {
  return PYTHON.test(path.basename(program));
}

/** A bare `python3` / `python` from PATH, not a venv's. Pure. */
export function isSystemPython(argv0: string): boolean {
  return !argv0.includes('/') && isPythonProgram(argv0);
}

/** The first-party requirements of the app in `dir`: requirements.txt, else pyproject.toml's [project] dependencies. */
export function requirementNames(dir: string): { names: string[]; from: string; file: 'requirements.txt' | 'pyproject.toml' } | null {
  const read = (file: string) => {
    try {
      return fs.readFileSync(path.join(dir, file), 'utf8');
    } catch {
      return null;
    }
  };
  const txt = read('requirements.txt');
  if (txt !== null) return { names: parseRequirements(txt.split('\n')), from: 'requirements.txt', file: 'requirements.txt' };
  const toml = read('pyproject.toml');
  if (toml !== null) {
    const deps = projectDependencies(toml);
    if (deps) return { names: parseRequirements(deps), from: 'pyproject.toml [project] dependencies', file: 'pyproject.toml' };
  }
  return null;
}

/** "Flask>=2.0 ; python_version > '3.8'" → "Flask"; comments, options and URLs dropped. Pure. */
export function parseRequirements(lines: string[]): string[] {
  const names: string[] = [];
  for (const raw of lines) {
    const line = raw.replace(/#.*/, '').trim();
    if (!line || line.startsWith('-') || line.includes('://')) continue;
    const m = /^([A-Za-z0-9][A-Za-z0-9._-]*)/.exec(line);
    if (m) names.push(m[1]!);
  }
  return names;
}

/** The strings of `dependencies = [...]` under `[project]` in a pyproject.toml. Pure (a small reader, not TOML). */
export function projectDependencies(toml: string): string[] | null {
  const project = /^\[project\]\s*$([\s\S]*?)(?=^\[|(?![\s\S]))/m.exec(toml);
  if (!project) return null;
  const deps = /^dependencies\s*=\s*\[([\s\S]*?)\]/m.exec(project[1]!);
  if (!deps) return null;
  return [...deps[1]!.matchAll(/"([^"]*)"|'([^']*)'/g)].map((m) => m[1] ?? m[2]!);
}

/** A one-line Python program printing the distributions of `names` that are not installed, one a line. */
export function missingDistributionsScript(names: string[]): string {
  return `import importlib.metadata as m\nfor n in ${JSON.stringify(names)}:\n    try: m.version(n)\n    except m.PackageNotFoundError: print(n)`;
}

/**
 * For a Python app that died on a missing module: which module, and what to do (its venv's python, or installing
 * its requirements). Null for any other line. `cwd` is the service's directory.
 */
export function missingModuleHint(line: string, cwd: string, argv0: string): string | null {
  const m = /ModuleNotFoundError: No module named '([^']+)'/.exec(line);
  if (!m) return null;
  const venv = findVenvPython(cwd);
  if (venv && isSystemPython(argv0)) return `${argv0} has no module ${m[1]}, but ${venv} is here: run the app with it (command: [${venv}, …])`;
  if (venv) return `the interpreter has no module ${m[1]}: install the app's requirements into ${path.dirname(path.dirname(venv))} (e.g. ${venv} -m pip install -r requirements.txt)`;
  return `the interpreter has no module ${m[1]}: install the app's requirements (pip install -r requirements.txt), or create a venv (python3 -m venv venv) and run the app with ./venv/bin/python`;
}

/**
 * Inference backends a chat app loads only when that backend is chosen (Chat-O-Llama imports llama_cpp in a try):
 * their absence is worth a warning, not a failure. Names as pip normalises them.
 */
const OPTIONAL_BACKENDS = new Set(['llama-cpp-python', 'vllm', 'torch', 'transformers', 'mlx-lm', 'ctransformers']);
export const isOptionalBackend = (name: string) => OPTIONAL_BACKENDS.has(name.toLowerCase().replace(/[._]/g, '-'));

/** How to install what `file` names, with the app's interpreter. Pure. */
export function installHint(interpreter: string, file: 'requirements.txt' | 'pyproject.toml'): string {
  return file === 'requirements.txt' ? `${interpreter} -m pip install -r requirements.txt (or uv pip install -r requirements.txt)` : `${interpreter} -m pip install -e . (or uv sync), from its pyproject.toml`;
}
