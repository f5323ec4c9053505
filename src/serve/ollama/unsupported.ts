import type { DialectHandler } from '../contract.js';
import { withLease } from './lease.js';
import { OllamaRequestError, parseBody } from './requests.js';

/**
 * ollama's model management (`/api/pull`, `/api/push`, `/api/create`, `/api/copy`, `/api/delete`): ollama's own job.
 * With an ollama service in the stack they go to it; without one there is nothing that could do them (a
 * llama-server model is a GGUF file named in llama-top.yaml), so the answer says what to do instead — at once.
 */
export function managedByOllama(what: string, instead: string): DialectHandler {
  return async (req, res, body, gateway, attempt) => {
    const json = body.length ? parseBody(body) : {};
    const named = [json.model, json.name, json.source, json.destination].find((v): v is string => typeof v === 'string' && v !== '');
    const models = await gateway.models();
    const target = models.find((m) => m.kind === 'ollama' && m.name === named) ?? models.find((m) => m.kind === 'ollama');
    if (!target) throw new OllamaRequestError(`${what} is ollama's own model management, and no ollama service serves models here: ${instead}`, 501);
    attempt.model = target.name;
    attempt.service = target.service;
    await withLease(gateway, req, res, target.name, null, (lease) => gateway.forward(lease, req, res, body));
  };
}

export const pull = managedByOllama('pull', "download the GGUF file and name it in a llama-server service's model: in llama-top.yaml");
export const push = managedByOllama('push', 'llama-top serves local GGUF files; push them with the tool that publishes them');
export const create = managedByOllama('create', "name the GGUF file in a llama-server service's model: (and its sampling defaults in args:) in llama-top.yaml");
export const copy = managedByOllama('copy', "give a llama-server service another name with its models: list in llama-top.yaml");
export const remove = managedByOllama('delete', "remove the service (or its model:) from llama-top.yaml, then llama-top reload");
