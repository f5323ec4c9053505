import { readBackendValue } from './config-file.js';

/**
 * Where the app says it reaches backend `choice` itself: `<choice>.base_url` (or `.url`) in its config file, the
 * shape Chat-O-Llama uses (`"ollama": {"base_url": "http://localhost:11434"}`). Null when it names none or the file
 * cannot be read.
 */
export function appBackendUrl(file: string, choice: string): string | null {
  for (const key of [`${choice}.base_url`, `${choice}.url`]) {
    try {
      const value = readBackendValue(file, key);
      if (value && /^https?:\/\//.test(value)) return value;
    } catch {
      return null;
    }
  }
  return null;
}
