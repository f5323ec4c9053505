import { ServeError, type ServeGateway, type ServedModel } from '../contract.js';

/**
 * The model a client names. ollama's clients add the tag `:latest` to a bare name (and some drop it), so `tiny` and
 * `tiny:latest` are the same model here unless both exist. Unknown: 404 naming the models there are.
 */
export async function resolveModel(gateway: ServeGateway, name: string): Promise<ServedModel> {
  const exact = await gateway.resolve(name);
  if (exact) return exact;
  const other = name.endsWith(':latest') ? name.slice(0, -':latest'.length) : `${name}:latest`;
  const alias = await gateway.resolve(other);
  if (alias) return alias;
  const names = (await gateway.models()).map((m) => m.name);
  throw new ServeError(404, `model "${name}" not found: the endpoint serves ${names.length ? names.join(', ') : 'no models (no LLM service in the config)'}`, 'invalid_request_error', 'model_not_found');
}
