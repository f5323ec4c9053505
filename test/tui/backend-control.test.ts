import { describe, expect, it } from 'vitest';
import { createBackendControl } from '../../src/tui/backend-control.js';
import { FakeDaemon, service } from './fake-daemon.js';

describe("the TUI's backend picker asks the daemon", () => {
  it('lists the backends with why one is ✗, and switches, through daemon requests only', async () => {
    const daemon = new FakeDaemon([service('llama'), service('ollama', { state: 'stopped' })]);
    const control = createBackendControl();
    expect(await control.choices(daemon)).toEqual([
      { name: 'llamacpp', service: 'llama', healthy: true, active: true, reason: null },
      { name: 'ollama', service: 'ollama', healthy: false, active: false, reason: 'service ollama is stopped' },
    ]);
    expect(await control.switchTo(daemon, 'ollama')).toBe('backend switched to ollama in 1.2 s');
    expect(daemon.calls).toEqual([
      ['backendReport', undefined],
      ['backendSwitch', 'ollama', false],
    ]);
  });
});
