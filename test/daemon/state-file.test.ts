import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { readStateFile, writeStateFile, type DaemonStateFile } from '../../src/daemon/state-file.js';

const state = (pid: number): DaemonStateFile => ({
  version: 1, daemonPid: 1, configFile: '/c', updatedAt: '', services: { llama: { pid, startTicks: 5, logDir: null, startedAt: 0 } },
});

describe('state file', () => {
  it('is replaced atomically, keeping the previous copy', () => {
    const file = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'lt-state-')), 'state.json');
    expect(readStateFile(file)).toEqual({ state: null, from: null, damaged: null });
    writeStateFile(file, state(1));
    writeStateFile(file, state(2));
    expect(readStateFile(file).state!.services.llama!.pid).toBe(2);
    expect(JSON.parse(fs.readFileSync(`${file}.prev`, 'utf8')).services.llama.pid).toBe(1);
    expect(fs.readdirSync(path.dirname(file)).sort()).toEqual(['state.json', 'state.json.prev']); // no temp file left
    expect(fs.statSync(file).mode & 0o777).toBe(0o600);
  });

  it('a damaged file is moved aside, the previous copy is used, and the good copy is never overwritten with garbage', () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'lt-state-'));
    const file = path.join(dir, 'state.json');
    writeStateFile(file, state(1));
    writeStateFile(file, state(2));
    fs.writeFileSync(file, '{"version": 1, "services": {"llama": {"pid": 2'); // torn by a crash mid-write
    const read = readStateFile(file);
    expect(read.from).toBe('previous');
    expect(read.state!.services.llama!.pid).toBe(1);
    expect(read.damaged).toMatch(/state\.json\.damaged-\d+$/);
    expect(fs.readFileSync(read.damaged!, 'utf8')).toContain('"pid": 2');
    writeStateFile(file, state(3));
    expect(JSON.parse(fs.readFileSync(`${file}.prev`, 'utf8')).services.llama.pid).toBe(1);
  });
});
