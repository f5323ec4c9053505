import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { findLiveCopy, readCommandLines, sameCommandLine } from '../../src/process/live-copies.js';

describe('a second copy of a service is recognised by its command line', () => {
  it('matches the program by base name (path or PATH) and every argument exactly', () => {
    expect(sameCommandLine(['/usr/bin/python3', 'app.py'], ['python3', 'app.py'])).toBe(true);
    expect(sameCommandLine(['python3', 'app.py'], ['python3', 'other.py'])).toBe(false);
    expect(sameCommandLine(['python3', 'app.py', '--debug'], ['python3', 'app.py'])).toBe(false);
    expect(sameCommandLine(['python3.11', 'app.py'], ['python3', 'app.py'])).toBe(false);
    expect(sameCommandLine([], [])).toBe(false);
  });

  it('finds the lowest live pid, skipping the ones we supervise', () => {
    const procs = [
      { pid: 40, argv: ['/opt/llama-server', '-m', 'a.gguf'] },
      { pid: 30, argv: ['llama-server', '-m', 'a.gguf'] },
      { pid: 20, argv: ['llama-server', '-m', 'b.gguf'] },
    ];
    expect(findLiveCopy(['llama-server', '-m', 'a.gguf'], new Set(), procs)).toBe(30);
    expect(findLiveCopy(['llama-server', '-m', 'a.gguf'], new Set([30]), procs)).toBe(40);
    expect(findLiveCopy(['llama-server', '-m', 'c.gguf'], new Set(), procs)).toBeNull();
  });

  it('reads this very process among the live ones', () => {
    const self = readCommandLines().find((p) => p.pid === process.pid);
    expect(path.basename(self!.argv[0]!)).toBe(path.basename(process.argv0));
  });
});
