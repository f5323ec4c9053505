// The build's second step: the status page's own files (src/web/page: HTML, CSS, JS) beside the compiled daemon
// (dist/web/page), which serves them. They are plain files, not strings in TypeScript.
import fs from 'node:fs';
import { fileURLToPath } from 'node:url';

const from = fileURLToPath(new URL('../src/web/page/', import.meta.url));
const to = fileURLToPath(new URL('../dist/web/page/', import.meta.url));
fs.rmSync(to, { recursive: true, force: true });
fs.mkdirSync(to, { recursive: true });
for (const name of fs.readdirSync(from)) if (/\.(html|css|js)$/.test(name)) fs.copyFileSync(from + name, to + name);
