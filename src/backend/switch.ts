import type { StackConfig } from '../config/types.js';
import type { DaemonApi } from '../protocol/daemon-api.js';
import { errorMessage, LlamaTopError } from '../protocol/errors.js';
import { appServedHealth, assertKnownBackend, backendOf, currentBackend } from './backends.js';
import { writeBackendValue } from './config-file.js';
import { checkServiceHealth } from './health.js';

export type { SwitchResult } from '../protocol/results.js';
import type { SwitchResult } from '../protocol/results.js';

/**
 * Switches the chat app to backend `target`: make sure its server is ready (starting it if we manage it), set the
 * key (or env), restart the app and wait for it; on any failure put the old value back and restart the app on it.
 */
/** What a switch does to the stack: the daemon's own supervisor (the switch runs in the daemon). */
export type StackOps = Pick<DaemonApi, 'status' | 'start' | 'restart' | 'stop' | 'setEnv'>;

export async function switchBackend(api: StackOps, config: StackConfig, target: string, options: { force: boolean }): Promise<SwitchResult> {
  const began = Date.now();
  const backend = backendOf(config);
  assertKnownBackend(backend, target);
  const statusOf = async (name: string) => (await api.status()).find((s) => s.name === name);
  const from = currentBackend(config, await api.status());
  const service = backend.choices[target] ?? null;
  let unchecked: string | null = null;

  if (service) {
    const svc = await statusOf(service);
    if (svc?.state !== 'ready' && svc?.state !== 'external') {
      const [started] = await api.start([service], true);
      if (!started?.ok && !options.force) throw new LlamaTopError('FAILED', `switch to ${target} refused: step 1 (start ${service}) failed: ${started?.error ?? 'not ready'}`);
    }
    const health = await checkServiceHealth(await statusOf(service));
    if (health.healthy === false && !options.force)
      throw new LlamaTopError('FAILED', `switch to ${target} refused: ${health.reason} (the app stays on ${from ?? 'its current backend'}; --force to switch anyway)`);
  } else {
    // Served by the app itself: its configured check (e.g. that llama-cpp-python imports and a model is there), else
    // the URL the app's own config names for it; with neither, the switch says it could not check.
    const health = await appServedHealth(config, target, await statusOf(backend.app), false);
    if (health.healthy === false && !options.force)
      throw new LlamaTopError('FAILED', `switch to ${target} refused: ${health.reason} (the app stays on ${from ?? 'its current backend'}; --force to switch anyway)`);
    if (health.healthy === null) unchecked = health.reason;
  }
  if (from === target) return { from, to: target, changed: false, stopped: null, elapsedMs: Date.now() - began, unchecked };

  const apply = async (name: string | null) => {
    if (backend.file && backend.key) {
      if (name !== null) writeBackendValue(backend.file, backend.key, name);
    } else if (backend.env) {
      await api.setEnv(backend.app, name === null ? null : (backend.env[name] ?? null));
    }
  };
  try {
    await apply(target);
  } catch (error) {
    throw new LlamaTopError('FAILED', `switch to ${target} failed at step 2 (write ${backend.file ?? 'env'}): ${errorMessage(error)}`);
  }
  const [restarted] = await api.restart([backend.app], true);
  if (!restarted?.ok) {
    let rollback = `restored ${backend.key ?? 'env'} = ${from ?? '(unset)'}`;
    try {
      await apply(from);
      const [back] = await api.restart([backend.app], true);
      if (!back?.ok) rollback += `, but ${backend.app} did not come back: ${back?.error}`;
    } catch (error) {
      rollback = `and the rollback failed too: ${errorMessage(error)}`;
    }
    throw new LlamaTopError('FAILED', `switch to ${target} failed at step 3 (restart ${backend.app}): ${restarted?.error ?? 'not ready'}; ${rollback}`);
  }
  let stopped: string | null = null;
  const oldService = from ? (backend.choices[from] ?? null) : null;
  if (backend.stopOther && oldService && oldService !== service) {
    const [o] = await api.stop([oldService], false).catch(() => [undefined]);
    if (o?.ok) stopped = oldService;
  }
  return { from, to: target, changed: true, stopped, elapsedMs: Date.now() - began, unchecked };
}
