import { describe, expect, it } from 'vitest';
import { formatEvent } from '../../src/commands/events.js';
import { formatOutcome, formatStatusTable, llmSummary } from '../../src/commands/format-status.js';
import { launchdPlist, systemdUnit } from '../../src/commands/service-install.js';
import { parseConfigText } from '../../src/config/load.js';
import { service } from '../tui/fake-daemon.js';

const NOW = Date.parse('2026-01-01T00:00:00Z');

describe('formatters', () => {
  it('status table: one row a service, last errors of failed ones underneath', () => {
    const table = formatStatusTable([
      service('llama'),
      service('chat', { kind: 'app', state: 'error', pid: null, cpuPercent: null, memoryBytes: null, uptimeSeconds: null, lastError: 'exited with code 1: boom', model: null }),
    ], NOW);
    const lines = table.split('\n');
    expect(lines[0]).toMatch(/^\s+SERVICE\s+KIND\s+STATE\s+PID\s+PORT\s+CPU\s+MEM\s+UPTIME\s+RESTARTS\s+LLM$/);
    expect(lines[1]).toMatch(/^●\s+llama\s+llama-server\s+ready\s+1234\s+8134\s+12\.5%\s+50M\s+1m05s\s+0/);
    expect(lines[2]).toMatch(/^✗\s+chat\s+app\s+error\s+-/);
    expect(table).toMatch(/last errors:\n {2}chat: exited with code 1: boom$/);
  });

  it('events and outcomes read as sentences', () => {
    const status = service('llama', { state: 'crashed', retries: 2, nextRetryAt: new Date(NOW + 4000).toISOString(), lastError: 'killed by SIGABRT: failed to load model' });
    expect(formatEvent({ type: 'state', time: 't', service: 'llama', from: 'ready', to: 'crashed', status })).toMatch(
      /^t llama ready -> crashed \(retry 2\/5 in \d+s\) \(pid 1234\): killed by SIGABRT: failed to load model$/,
    );
    expect(formatOutcome({ name: 'llama', ok: true, state: 'ready', error: null, elapsedMs: 3210 }, 'ready', service('llama'))).toBe('✓ llama ready in 3.2s (pid 1234, port 8134)');
    expect(formatOutcome({ name: 'llama', ok: false, state: 'error', error: 'boom', elapsedMs: 1 }, 'ready')).toBe('✗ llama: boom');
  });

  it('llm summary: rates and slots, metrics off, loaded ollama models with their countdown', () => {
    const llm = { metricsEnabled: true, promptTokensPerSecond: 1, generationTokensPerSecond: 12.5, requestsProcessing: 1, requestsDeferred: 2, slotsBusy: 1, slotsTotal: 4, loadedModels: null, sampledAt: '' };
    expect(llmSummary(service('l', { llm }), NOW)).toBe('12.5 tok/s · 1/4 slots busy · 2 queued');
    expect(llmSummary(service('l', { llm: { ...llm, metricsEnabled: false, requestsDeferred: null, slotsTotal: null } }), NOW)).toBe('metrics off (add --metrics)');
    // a sample whose /metrics got no answer in time (every HTTP thread serving a client, or a stuck loop): no old figures
    const unanswered = { ...llm, metricsEnabled: null, unanswered: true, generationTokensPerSecond: null, requestsProcessing: null, requestsDeferred: null, slotsBusy: null, slotsTotal: 2 };
    expect(llmSummary(service('l', { llm: unanswered }), NOW)).toBe('busy or stuck: /metrics not answered yet · ?/2 slots busy');
    const ollama = service('o', { kind: 'ollama', llm: { ...llm, loadedModels: [{ name: 'qwen', sizeVramBytes: 1, expiresAt: new Date(NOW + 90_000).toISOString() }] } });
    expect(llmSummary(ollama, NOW)).toBe('qwen (1m30s left) · ≈12.5 tok/s');
  });
});

describe('service files', () => {
  const config = parseConfigText('services:\n  w: { kind: process, command: x, stopTimeout: 30s }\n', '/home/me/my stack/llama-top.yaml', () => '/l');
  it('systemd: quoted paths, SIGTERM to llama-top only, a stop timeout covering the slowest service', () => {
    const unit = systemdUnit(config, '/usr/bin/node', '/opt/llama-top/bin/llama-top.js', '/usr/bin:/bin');
    expect(unit).toContain('ExecStart="/usr/bin/node" "/opt/llama-top/bin/llama-top.js" "--headless" "--config" "/home/me/my stack/llama-top.yaml"');
    expect(unit).toMatch(/^WorkingDirectory=\/home\/me\/my stack$/m); // no quotes: systemd refuses them there
    expect(unit).toContain('TimeoutStopSec=35');
    expect(unit).toContain('WantedBy=default.target');
  });
  it('launchd: the same program arguments, escaped', () => {
    const plist = launchdPlist(config, '/usr/local/bin/node', '/opt/a&b/llama-top.js', '/usr/bin', 'dev.llama-top.x', '/tmp/launchd.log');
    expect(plist).toContain('<string>/opt/a&amp;b/llama-top.js</string><string>--headless</string><string>--config</string><string>/home/me/my stack/llama-top.yaml</string>');
    expect(plist).toContain('<key>KeepAlive</key><true/>');
  });
});
