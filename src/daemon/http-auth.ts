import crypto from 'node:crypto';
import type http from 'node:http';

/** The cookie the token URL sets. */
export const TOKEN_COOKIE = 'llama_top_token';

/**
 * Whether `given` is the token, in constant time. Compared as bytes: a string of the right length in characters can
 * be longer in UTF-8 (`é` is two bytes), and timingSafeEqual throws on buffers of unequal length.
 */
export function sameToken(given: string | undefined, token: string): boolean {
  if (given === undefined) return false;
  const a = Buffer.from(given, 'utf8');
  const b = Buffer.from(token, 'utf8');
  return a.length === b.length && crypto.timingSafeEqual(a, b);
}

/** The token cookie's value in a `Cookie` header. Pure. */
export function cookieToken(header: string | undefined): string | undefined {
  for (const part of (header ?? '').split(';')) {
    const [k, ...v] = part.trim().split('=');
    if (k === TOKEN_COOKIE) return v.join('=');
  }
  return undefined;
}

/**
 * How a request proves it holds the token: `header` (a bearer header, or `?token=` on the read-only event streams,
 * which a browser's EventSource cannot send headers to), `cookie` (the status page), or null.
 */
export function tokenProof(req: http.IncomingMessage, url: URL, token: string): 'header' | 'cookie' | null {
  const bearer = /^Bearer (.+)$/.exec(req.headers.authorization ?? '')?.[1];
  const streamToken = req.method === 'GET' && (url.pathname === '/api/events' || url.pathname.endsWith('/logs')) ? (url.searchParams.get('token') ?? undefined) : undefined;
  if (sameToken(bearer, token) || sameToken(streamToken, token)) return 'header';
  return sameToken(cookieToken(req.headers.cookie), token) ? 'cookie' : null;
}

/** The path's segments, percent-decoded; null when an escape is malformed (`/api/services/%E0%A4%A`). Pure. */
export function pathSegments(pathname: string): string[] | null {
  try {
    return pathname.split('/').filter(Boolean).map(decodeURIComponent);
  } catch {
    return null;
  }
}
