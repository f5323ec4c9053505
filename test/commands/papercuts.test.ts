import { describe, expect, it } from 'vitest';
import { interruptedStartText } from '../../src/commands/interrupt.js';
import { daemonStopTail } from '../../src/commands/status.js';
import { formatWeb, tokenCommand } from '../../src/commands/web.js';
import { installHint, isOptionalBackend } from '../../src/kinds/python.js';
import { ownRequestLines } from '../../src/kinds/llama-server-probes.js';
import { meaningfulLine } from '../../src/logs/tail.js';

describe('papercuts of issue #18', () => {
  it('a llama-server bind failure is explained by the line that says why, not the clean-up after it (b4748 lines)', () => {
    const lines = [
      'main: server is listening on http://203.0.113.9:41403 - starting the main loop',
      "main: couldn't bind HTTP server socket, hostname: 203.0.113.9, port: 41403",
      'srv    operator(): operator(): cleaning up before exit...',
    ];
    expect(meaningfulLine(lines)).toBe("main: couldn't bind HTTP server socket, hostname: 203.0.113.9, port: 41403");
  });

  it('daemon stop says services keep running only when some do', () => {
    expect(daemonStopTail(false, [])).toBe('; no service was running');
    expect(daemonStopTail(false, ['llama'])).toBe("; llama keeps running (the next command's daemon re-adopts it)");
    expect(daemonStopTail(false, ['llama', 'chat'])).toMatch(/^; llama, chat keep running/);
    expect(daemonStopTail(true, ['llama'])).toBe(' with every service');
  });

  it('web --remote prints a token command that works here: the file is read over ssh', () => {
    expect(tokenCommand('/root/.local/state/llama-top/x/http-token', 'gpu')).toBe('$(ssh gpu cat /root/.local/state/llama-top/x/http-token)');
    expect(tokenCommand('/home/me/my state/token', 'me@gpu')).toBe(`$(ssh me@gpu cat ''\\''/home/me/my state/token'\\''')`);
    expect(tokenCommand('/s/token', null)).toBe('$(cat /s/token)');
    const lines = formatWeb('http://127.0.0.1:7878/', 'abc', '/s/token', 'gpu');
    expect(lines[2]).toBe('from code: Authorization: Bearer $(ssh gpu cat /s/token)');
    expect(lines[3]).toMatch(/ssh -N -L 7878:127\.0\.0\.1:7878 gpu/);
  });

  it('doctor: an optional backend package warns, and the install hint names the file that exists', () => {
    expect(isOptionalBackend('llama-cpp-python')).toBe(true);
    expect(isOptionalBackend('llama_cpp_python')).toBe(true);
    expect(isOptionalBackend('flask')).toBe(false);
    expect(installHint('./venv/bin/python', 'pyproject.toml')).toMatch(/-m pip install -e \. \(or uv sync\), from its pyproject\.toml/);
    expect(installHint('python3', 'requirements.txt')).toMatch(/-m pip install -r requirements\.txt/);
  });

  it('Ctrl-C during start says the services keep starting and how to watch them', () => {
    const text = interruptedStartText('start', ['llama'], (rest) => `llama-top ${rest}`);
    expect(text).toBe('llama-top: stopped waiting; llama keeps starting in the daemon. Watch with llama-top status or llama-top logs -f llama; llama-top stop stops them.');
  });

  it("llama-server's log: llama-top's own requests are recognised, a user's are not", () => {
    const lines = [
      'srv  log_server_r: request: GET /health 127.0.0.1 200',
      'srv  log_server_r: request: GET /props 127.0.0.1 200',
      'srv  update_slots: all slots are idle',
      'srv  log_server_r: request: GET /metrics 127.0.0.1 200',
      'srv  log_server_r: request: GET /slots 127.0.0.1 501',
      'slot      release: id  0 | task 1 | stop processing: n_past = 3, truncated = 0',
      'srv  update_slots: all slots are idle',
      'srv  log_server_r: request: POST /v1/chat/completions 127.0.0.1 200',
      'srv  log_server_r: request: GET /v1/models 127.0.0.1 200',
    ];
    expect(ownRequestLines(lines)).toEqual([true, true, true, true, true, false, false, false, true]);
  });
});
