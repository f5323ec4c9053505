import { describe, expect, it } from 'vitest';
import { createBackendControl } from '../../src/backend/control.js';
import type { StackConfig } from '../../src/config/types.js';
import { FakeDaemon, service } from '../tui/fake-daemon.js';

const config = {
  file: '/c/llama-top.yaml',
  services: [],
  backend: { app: 'chat', choices: { llamacpp: 'llama', ollama: 'ollama' }, health: {}, stopOther: false },
} as unknown as StackConfig;

describe("the TUI's backend picker asks the daemon", () => {
  it('lists the backends with why one is ✗, and switches, through daemon requests only', async () => {
    const daemon = new FakeDaemon([service('llama'), service('ollama', { state: 'stopped' })]);
    const control = createBackendControl(config, async () => daemon);
    expect(await control.choices()).toEqual([
      { name: 'llamacpp', service: 'llama', healthy: true, active: true, reason: null },
      { name: 'ollama', service: 'ollama', healthy: false, active: false, reason: 'service ollama is stopped' },
    ]);
    expect(await control.switchTo('ollama')).toBe('backend switched to ollama in 1.2 s');
    expect(daemon.calls).toEqual([
      ['backendReport', undefined],
      ['backendSwitch', 'ollama', false],
    ]);
  });
});
