import { describe, expect, it } from 'vitest';
import { completionEnd, chatEnd, translateAnswer } from '../../../src/serve/ollama/answers.js';
import { KEEP_LOADED_MS, parseKeepAlive } from '../../../src/serve/ollama/keep-alive.js';
import { formatIgnored, mapOptions } from '../../../src/serve/ollama/options.js';
import { OllamaRequestError, parseBody, readChatRequest, readGenerateRequest, toChatBody, toCompletionBody } from '../../../src/serve/ollama/requests.js';
import { SseParser } from '../../../src/serve/ollama/sse.js';
import { streamEndLine, translateEvent } from '../../../src/serve/ollama/stream-translator.js';

// Answers as llama-server b4748 writes them (captured from the real binary on the tiny model).
const COMPLETION = {
  index: 0, content: ' amb dere голов tonITION', tokens: [], id_slot: 0, stop: true, model: 'gpt-3.5-turbo', tokens_predicted: 5, tokens_evaluated: 2,
  prompt: '<s> Hello', has_new_line: false, truncated: false, stop_type: 'limit', stopping_word: '', tokens_cached: 6,
  timings: { prompt_n: 2, prompt_ms: 16.765, prompt_per_token_ms: 8.3825, prompt_per_second: 119.3, predicted_n: 5, predicted_ms: 27.646, predicted_per_token_ms: 5.5292, predicted_per_second: 180.86 },
};
const CHAT = {
  choices: [{ finish_reason: 'length', index: 0, message: { role: 'assistant', content: ' ora sistema shookee' } }],
  created: 1796454269, model: 'gpt-3.5-turbo', system_fingerprint: 'b4748-c392e509', object: 'chat.completion',
  usage: { completion_tokens: 4, prompt_tokens: 29, total_tokens: 33 }, id: 'chatcmpl-YsQ8',
  timings: { prompt_n: 28, prompt_ms: 13.32, prompt_per_token_ms: 0.4757, prompt_per_second: 2102.1, predicted_n: 4, predicted_ms: 1.978, predicted_per_token_ms: 0.4945, predicted_per_second: 2022.2 },
};
const COMPLETION_STREAM =
  'data: {"index":0,"content":" Russ","tokens":[4719],"stop":false,"id_slot":-1,"tokens_predicted":1,"tokens_evaluated":2}\n\n' +
  'data: {"index":0,"content":"ulp","tokens":[15323],"stop":false,"id_slot":-1,"tokens_predicted":2,"tokens_evaluated":2}\n\n' +
  'data: {"index":0,"content":"","tokens":[],"id_slot":0,"stop":true,"model":"gpt-3.5-turbo","tokens_predicted":2,"tokens_evaluated":2,"stop_type":"eos","timings":{"prompt_n":1,"prompt_ms":0.796,"predicted_n":2,"predicted_ms":1.477}}\n\n';
const CHAT_STREAM =
  'data: {"choices":[{"finish_reason":null,"index":0,"delta":{"content":"онов"}}],"object":"chat.completion.chunk"}\n\n' +
  'data: {"choices":[{"finish_reason":null,"index":0,"delta":{"content":" Japanese"}}],"object":"chat.completion.chunk"}\n\n' +
  'data: {"choices":[{"finish_reason":"length","index":0,"delta":{}}],"object":"chat.completion.chunk","usage":{"completion_tokens":2,"prompt_tokens":29,"total_tokens":31},"timings":{"prompt_n":1,"prompt_ms":0.879,"predicted_n":2,"predicted_ms":1.335}}\n\n' +
  'data: [DONE]\n\n';

describe('keep_alive', () => {
  it('reads seconds, Go durations and "keep loaded" as ollama does', () => {
    expect(parseKeepAlive(undefined)).toBeNull();
    expect(parseKeepAlive(0)).toBe(0);
    expect(parseKeepAlive('0')).toBe(0);
    expect(parseKeepAlive('0s')).toBe(0);
    expect(parseKeepAlive(300)).toBe(300_000);
    expect(parseKeepAlive('300')).toBe(300_000);
    expect(parseKeepAlive('10m')).toBe(600_000);
    expect(parseKeepAlive('1h30m')).toBe(5_400_000);
    expect(parseKeepAlive('1.5s')).toBe(1500);
    expect(parseKeepAlive('250ms')).toBe(250);
    expect(parseKeepAlive(-1)).toBe(KEEP_LOADED_MS);
    expect(parseKeepAlive('-1m')).toBe(KEEP_LOADED_MS);
    expect(parseKeepAlive('1000h')).toBe(KEEP_LOADED_MS);
  });
  it('says what is wrong with a value it cannot read', () => {
    expect(() => parseKeepAlive('soon')).toThrow(/keep_alive: "soon" is not a duration/);
    expect(() => parseKeepAlive({})).toThrow(/keep_alive must be a duration/);
  });
});

describe('options', () => {
  // What Chat-O-Llama sends (services/ollama_client.py, its default config.json).
  const chatOLlama = {
    temperature: 0.2, top_p: 0.8, top_k: 30, num_predict: 4096, repeat_penalty: 1.3, stop: ['\nUser:'], num_ctx: 2048, seed: null,
    num_thread: -1, num_gpu: 0, use_mlock: true, use_mmap: true, f16_kv: false, logits_all: false, vocab_only: false, embedding_only: false, numa: false,
  };
  it('maps sampling options to llama-server parameters and lists the load-time ones it cannot apply', () => {
    const { params, ignored } = mapOptions(chatOLlama, 'completion');
    expect(params).toEqual({ temperature: 0.2, top_p: 0.8, top_k: 30, n_predict: 4096, repeat_penalty: 1.3, stop: ['\nUser:'] });
    expect(formatIgnored(ignored)).toBe('num_ctx, num_thread, num_gpu, use_mlock, use_mmap, f16_kv, logits_all, vocab_only, embedding_only, numa');
    expect(ignored.find((i) => i.option === 'num_ctx')?.why).toMatch(/fixed when llama-server starts \(-c/);
    expect(ignored.find((i) => i.option === 'embedding_only')?.why).toMatch(/not a llama-server parameter/);
  });
  it('sends num_predict as max_tokens to the chat endpoint, and a single stop word as a list', () => {
    expect(mapOptions({ num_predict: 5, stop: 'END', seed: 42, num_keep: 4 }, 'chat').params).toEqual({ max_tokens: 5, stop: ['END'], seed: 42, n_keep: 4 });
  });
});

describe('requests', () => {
  it('builds /completion from a generate request: template prompt, context tokens first, format as a schema', () => {
    const req = readGenerateRequest(parseBody(Buffer.from(JSON.stringify({ model: 'tiny', prompt: 'Hi', context: [1, 2], format: 'json', options: { num_predict: 5, num_ctx: 99 } }))));
    expect(req.stream).toBe(true); // ollama streams unless told not to
    const { body, ignored } = toCompletionBody(req, '<|im_start|>user\nHi');
    expect(body).toEqual({ prompt: [1, 2, '<|im_start|>user\nHi'], n_predict: 5, stream: true, json_schema: { type: 'object' } });
    expect(ignored.map((i) => i.option)).toEqual(['num_ctx']);
  });
  it('builds /v1/chat/completions from a chat request, tool calls with their arguments as JSON text', () => {
    const req = readChatRequest({
      model: 'tiny', stream: false, format: { type: 'object', properties: { a: { type: 'string' } } },
      messages: [{ role: 'user', content: 'Hi' }, { role: 'assistant', content: '', tool_calls: [{ function: { name: 'f', arguments: { x: 1 } } }] }],
      options: { num_predict: 3, temperature: 0 },
    });
    const { body } = toChatBody(req);
    expect(body).toEqual({
      messages: [{ role: 'user', content: 'Hi' }, { role: 'assistant', content: '', tool_calls: [{ id: 'call_0', type: 'function', function: { name: 'f', arguments: '{"x":1}' } }] }],
      max_tokens: 3, temperature: 0, stream: false,
      response_format: { type: 'json_schema', json_schema: { schema: { type: 'object', properties: { a: { type: 'string' } } } } },
    });
  });
  it('refuses what it cannot translate with a reason', () => {
    expect(() => parseBody(Buffer.from('{nope'))).toThrow(OllamaRequestError);
    expect(() => readGenerateRequest({ prompt: 'x' })).toThrow(/model is required/);
    expect(() => readGenerateRequest({ model: 'm', prompt: 'x', images: ['aGk='] })).toThrow(/images cannot be translated for llama-server/);
    expect(() => readGenerateRequest({ model: 'm', prompt: 'x', suffix: 'y' })).toThrow(/suffix \(fill-in-the-middle\) is not translated/);
    expect(() => readChatRequest({ model: 'm', messages: 'hi' })).toThrow(/messages must be an array/);
    expect(() => toCompletionBody(readGenerateRequest({ model: 'm', prompt: 'x', format: 'yaml' }), 'x')).toThrow(/format must be "json" or a JSON schema/);
  });
});

describe('answers', () => {
  const timing = { totalMs: 250, loadMs: 200 };
  const now = new Date('2026-12-05T07:00:00Z');
  it('a /completion answer in ollama generate shape, durations in nanoseconds', () => {
    expect(translateAnswer('generate', 'tiny', COMPLETION, timing, now)).toEqual({
      model: 'tiny', created_at: '2026-12-05T07:00:00.000Z', response: ' amb dere голов tonITION', done: true, done_reason: 'length',
      total_duration: 250_000_000, load_duration: 200_000_000,
      prompt_eval_count: 2, prompt_eval_duration: 16_765_000, eval_count: 5, eval_duration: 27_646_000,
    });
  });
  it('a chat completion in ollama chat shape, with prompt and answer token counts from usage', () => {
    const reply = translateAnswer('chat', 'tiny', CHAT, timing, now);
    expect(reply).toMatchObject({ message: { role: 'assistant', content: ' ora sistema shookee' }, done: true, done_reason: 'length', prompt_eval_count: 29, eval_count: 4, eval_duration: 1_978_000 });
  });
  it('ends: eos and stop words are "stop", the limit "length"; tool calls come back with object arguments', () => {
    expect(completionEnd({ stop_type: 'eos' }).done_reason).toBe('stop');
    expect(completionEnd({ stop_type: 'word' }).done_reason).toBe('stop');
    expect(chatEnd({ choices: [{ finish_reason: 'stop' }] }).done_reason).toBe('stop');
    const withTools = { choices: [{ finish_reason: 'tool_calls', message: { role: 'assistant', content: null, tool_calls: [{ function: { name: 'f', arguments: '{"x":1}' } }] } }] };
    expect(translateAnswer('chat', 'm', withTools, timing, now).message).toEqual({ role: 'assistant', content: '', tool_calls: [{ function: { name: 'f', arguments: { x: 1 } } }] });
  });
  it('leaves out counts the server did not send rather than reporting 0', () => {
    const reply = translateAnswer('generate', 'm', { content: 'x', stop: true, stop_type: 'eos' }, timing, now);
    expect(reply).not.toHaveProperty('eval_count');
    expect(reply).not.toHaveProperty('eval_duration');
  });
});

describe('streams', () => {
  const run = (dialect: 'generate' | 'chat', sse: string, chunkSize: number) => {
    const parser = new SseParser();
    const steps = [];
    for (let i = 0; i < sse.length; i += chunkSize) for (const e of parser.push(sse.slice(i, i + chunkSize))) steps.push(...translateEvent(dialect, 'tiny', e));
    for (const e of parser.end()) steps.push(...translateEvent(dialect, 'tiny', e));
    return steps;
  };
  it('a /completion stream becomes one NDJSON piece per event and an end with the counts, however the bytes are cut', () => {
    for (const size of [1, 7, 64, 10_000]) {
      const steps = run('generate', COMPLETION_STREAM, size);
      expect(steps.map((s) => s.kind)).toEqual(['piece', 'piece', 'end']);
      expect(steps.filter((s) => s.kind === 'piece').map((s) => (s as any).line.response)).toEqual([' Russ', 'ulp']);
      const end = steps.at(-1) as any;
      expect(end.end).toMatchObject({ done_reason: 'stop', prompt_eval_count: 2, eval_count: 2, eval_duration: 1_477_000 });
      expect(streamEndLine('generate', 'tiny', end.end, { totalMs: 3, loadMs: 0 })).toMatchObject({ response: '', done: true, eval_count: 2, load_duration: 0 });
    }
  });
  it('a chat stream: deltas as messages, the finish chunk is the end, [DONE] adds nothing', () => {
    const steps = run('chat', CHAT_STREAM, 13);
    expect(steps.map((s) => s.kind)).toEqual(['piece', 'piece', 'end']);
    expect((steps[0] as any).line).toMatchObject({ model: 'tiny', message: { role: 'assistant', content: 'онов' }, done: false });
    expect((steps[2] as any).end).toMatchObject({ done_reason: 'length', prompt_eval_count: 29, eval_count: 2 });
  });
  it("llama-server's error event becomes an error step with its message", () => {
    const steps = run('chat', 'error: {"code":500,"message":"context shift is disabled","type":"server_error"}\n\n', 5);
    expect(steps).toEqual([{ kind: 'error', message: 'context shift is disabled' }]);
  });
  it('handles CRLF event ends and a last event without its blank line', () => {
    const parser = new SseParser();
    expect(parser.push('data: {"a":1}\r\n\r\ndata: {"b"')).toEqual([{ field: 'data', data: '{"a":1}' }]);
    expect(parser.push(':2}')).toEqual([]);
    expect(parser.end()).toEqual([{ field: 'data', data: '{"b":2}' }]);
  });
});
