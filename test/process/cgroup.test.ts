import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { cgroup2Mount, ownCgroup } from '../../src/process/cgroup.js';
import { markerId, markerStartMs } from '../../src/process/marker.js';

const file = (text: string) => {
  const f = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'lt-cg-')), 'f');
  fs.writeFileSync(f, text);
  return f;
};

describe('finding cgroup v2', () => {
  it('takes the cgroup2 mount from mountinfo (hybrid: …/unified; escaped spaces), not a v1 controller', () => {
    const hybrid = file(
      '35 25 0:30 / /sys/fs/cgroup ro,nosuid - tmpfs tmpfs ro\n' +
        '36 35 0:31 / /sys/fs/cgroup/memory rw - cgroup cgroup rw,memory\n' +
        '40 35 0:37 / /sys/fs/cgroup/unified rw,relatime - cgroup2 cgroup2 rw\n',
    );
    expect(cgroup2Mount(hybrid)).toBe('/sys/fs/cgroup/unified');
    expect(cgroup2Mount(file('40 35 0:37 / /mnt/my\\040cgroups rw shared:9 - cgroup2 cgroup2 rw\n'))).toBe('/mnt/my cgroups');
    expect(cgroup2Mount(file('36 35 0:31 / /sys/fs/cgroup/memory rw - cgroup cgroup rw,memory\n'))).toBeNull();
  });

  it('reads our own cgroup from the 0:: line', () => {
    expect(ownCgroup(file('4:memory:/x\n0::/user.slice/user-1000.slice/app.scope\n'))).toBe('/user.slice/user-1000.slice/app.scope');
    expect(ownCgroup(file('4:memory:/x\n'))).toBeNull();
  });

  it('a marker id carries the start it names', () => {
    expect(markerStartMs(markerId('stack-abc', 'llama', 1796411308197))).toBe(1796411308197);
    expect(markerStartMs('stack/llama/soon')).toBeNull();
  });
});
