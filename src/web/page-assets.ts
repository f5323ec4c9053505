import fs from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

/** One file the status page is made of, as the listener serves it. */
export interface PageAsset {
  type: string;
  body: Buffer;
}

/** Where the page's files are: src/web/page in the source tree, dist/web/page once built (the build copies them). */
export const PAGE_DIR = fileURLToPath(new URL('./page/', import.meta.url));

const TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
};

const require = createRequire(import.meta.url);
/** The charting library, from the package's own dependencies: the page works on a box with no internet. */
const VENDOR: Record<string, () => string> = {
  '/vendor/uplot.js': () => require.resolve('uplot/dist/uPlot.iife.min.js'),
  '/vendor/uplot.css': () => require.resolve('uplot/dist/uPlot.min.css'),
};

/** The URL path of each file of the page: `/` is index.html, the rest under /page/ by their own names. */
function fileOf(urlPath: string): string | null {
  if (urlPath === '/') return path.join(PAGE_DIR, 'index.html');
  const vendor = VENDOR[urlPath];
  if (vendor) return vendor();
  const m = /^\/page\/([a-z0-9-]+\.(?:js|css))$/.exec(urlPath); // a plain name: never a path out of the folder
  return m ? path.join(PAGE_DIR, m[1]!) : null;
}

const cache = new Map<string, PageAsset>();

/**
 * The page's file for `urlPath` (null: none of the page's), read once and kept: the page's files do not change
 * under a running daemon (a new version is a new daemon).
 */
export function pageAsset(urlPath: string): PageAsset | null {
  const cached = cache.get(urlPath);
  if (cached) return cached;
  const file = fileOf(urlPath);
  let asset: PageAsset | null = null;
  if (file) {
    try {
      asset = { type: TYPES[path.extname(file)] ?? 'application/octet-stream', body: fs.readFileSync(file) };
    } catch {
      return null; // a name that looks like one of ours but is not there: 404 (not kept: names are unbounded)
    }
  }
  if (asset) cache.set(urlPath, asset);
  return asset;
}
