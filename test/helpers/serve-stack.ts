import fs from 'node:fs';
import path from 'node:path';
import { fixture, llamaServerCommand, makeStack, NODE, REAL_LLAMA_SERVER, TINY_GGUF, type Stack } from './stack.js';

export interface ServeService {
  name: string;
  models?: string[];
  group?: string;
  idleStop?: string;
  /** Extra lines under the service (indented 4). */
  extra?: string[];
  /** Fixture-only arguments (left out against the real llama-server). */
  fakeArgs?: string[];
  /** Arguments for both. */
  args?: string[];
  model?: string;
  /** Run the fixture even when LLAMA_SERVER is set (for what only it can do: load slowly). */
  fixtureOnly?: boolean;
}

/**
 * A stack of llama-server services (the real binary when LLAMA_SERVER is set, else the fixture) on the tiny GGUF,
 * none autostarting, behind a serve endpoint on a free port: `ports[services.length]`.
 */
export async function makeServeStack(services: ServeService[], serve: string[] = [], top: string[] = [], prepare: (dir: string) => void = () => undefined): Promise<Stack & { serveUrl: string }> {
  const command = llamaServerCommand();
  const stack = await makeStack((ports, dir) => {
    fs.copyFileSync(TINY_GGUF, path.join(dir, 'tiny.gguf'));
    prepare(dir);
    const lines = [
      'name: serve-test',
      'restart: { maxRetries: 0 }',
      ...top,
      'serve:',
      `  listen: 127.0.0.1:${ports[services.length]}`,
      ...serve.map((l) => `  ${l}`),
      'services:',
    ];
    services.forEach((s, i) => {
      const real = REAL_LLAMA_SERVER && !s.fixtureOnly;
      const args = [...(s.args ?? []), ...(real ? ['-c', '256', '-t', '1'] : (s.fakeArgs ?? []))];
      const argv = real ? command : [NODE, fixture('fake-llama-server.mjs')];
      lines.push(
        `  ${s.name}:`,
        '    kind: llama-server',
        `    command: [${argv.map((c) => JSON.stringify(c)).join(', ')}]`,
        `    model: ${s.model ?? './tiny.gguf'}`,
        `    port: ${ports[i]}`,
        '    autostart: false',
        '    stopTimeout: 5s',
        ...(s.extra?.some((l) => l.startsWith('startTimeout')) ? [] : ['    startTimeout: 60s']),
        ...(args.length ? [`    args: [${args.map((a) => JSON.stringify(a)).join(', ')}]`] : []),
        ...(s.models ? [`    models: [${s.models.join(', ')}]`] : []),
        ...(s.group ? [`    group: ${s.group}`] : []),
        ...(s.idleStop ? [`    idleStop: ${s.idleStop}`] : []),
        ...(s.extra ?? []).map((l) => `    ${l}`),
      );
    });
    return `${lines.join('\n')}\n`;
  }, services.length + 1);
  return Object.assign(stack, { serveUrl: `http://127.0.0.1:${stack.ports[services.length]}` });
}

export { NODE, fixture };

/** POSTs JSON to the endpoint; the answer's status and parsed body. */
export async function postJson(url: string, body: unknown, headers: Record<string, string> = {}): Promise<{ status: number; json: any; text: string }> {
  const res = await fetch(url, { method: 'POST', headers: { 'content-type': 'application/json', ...headers }, body: typeof body === 'string' ? body : JSON.stringify(body) });
  const text = await res.text();
  let json: any = null;
  try {
    json = JSON.parse(text);
  } catch {
    // not JSON
  }
  return { status: res.status, json, text };
}

/** A streamed answer read event by event: each `data:` line and when it arrived. */
export async function readEvents(url: string, body: unknown): Promise<{ status: number; events: Array<{ data: string; at: number }> }> {
  const res = await fetch(url, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });
  const events: Array<{ data: string; at: number }> = [];
  const reader = res.body!.getReader();
  const decoder = new TextDecoder();
  let buffered = '';
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    buffered += decoder.decode(value, { stream: true });
    let cut: number;
    while ((cut = buffered.indexOf('\n\n')) >= 0) {
      const event = buffered.slice(0, cut);
      buffered = buffered.slice(cut + 2);
      for (const line of event.split('\n')) if (line.startsWith('data: ')) events.push({ data: line.slice(6), at: performance.now() });
    }
  }
  return { status: res.status, events };
}
