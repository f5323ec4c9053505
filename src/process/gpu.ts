import { execFile } from 'node:child_process';
import { resolveBinary } from './spawner.js';

/** `nvidia-smi --query-compute-apps=pid,used_memory --format=csv,noheader,nounits` → pid → bytes. Pure. */
export function parseComputeApps(text: string): Map<number, number> {
  const out = new Map<number, number>();
  for (const line of text.split('\n')) {
    const [pid, mib] = line.split(',').map((s) => Number(s.trim()));
    if (Number.isInteger(pid) && Number.isFinite(mib)) out.set(pid!, (out.get(pid!) ?? 0) + mib! * 1024 * 1024);
  }
  return out;
}

/** GPU memory per pid where nvidia-smi exists; null (and nothing noisy) where it does not. */
export function readGpuMemory(): Promise<Map<number, number> | null> {
  const binary = resolveBinary('nvidia-smi', process.cwd());
  if (!binary) return Promise.resolve(null);
  return new Promise((resolve) => {
    execFile(binary, ['--query-compute-apps=pid,used_memory', '--format=csv,noheader,nounits'], { timeout: 5000 }, (error, stdout) => {
      resolve(error ? null : parseComputeApps(stdout));
    });
  });
}

/**
 * Waits (polling nvidia-smi every 200 ms, at most `maxMs`) until none of `pids` holds GPU memory; returns those
 * still listed at the end, and whether there was a GPU to ask (false: no nvidia-smi, or it fails; returned at once).
 */
export async function waitForGpuRelease(pids: number[], maxMs: number): Promise<{ held: number[]; gpu: boolean }> {
  const deadline = Date.now() + maxMs;
  for (;;) {
    const usage = await readGpuMemory();
    const held = usage ? pids.filter((pid) => usage.has(pid)) : [];
    if (held.length === 0 || Date.now() >= deadline) return { held, gpu: usage !== null };
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
}
