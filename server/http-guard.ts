// The web host's checks of what arrives over HTTP, each written so that no input can throw:
// request targets, Host headers (against DNS rebinding), the token and the page key.
import type { IncomingMessage } from 'node:http';
import { createHmac, timingSafeEqual } from 'node:crypto';

export const CONTENT_TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.ico': 'image/x-icon',
  '.json': 'application/json',
  '.woff2': 'font/woff2',
  '.wasm': 'application/wasm',
};

/** Sent with every response: no framing (clickjacking), no sniffing, no referrer, no cross-origin reads. */
export const SECURITY_HEADERS: Record<string, string> = {
  'Content-Security-Policy': "frame-ancestors 'none'",
  'X-Frame-Options': 'DENY',
  'X-Content-Type-Options': 'nosniff',
  'Referrer-Policy': 'no-referrer',
  'Cross-Origin-Opener-Policy': 'same-origin',
  'Cross-Origin-Resource-Policy': 'same-origin',
};

/** Host headers this server answers to: a DNS-rebound name (evil.example → 127.0.0.1) is refused. */
export function allowedHosts(port: number): string[] {
  return [`127.0.0.1:${port}`, `localhost:${port}`];
}

export interface Target {
  pathname: string;
  query: URLSearchParams;
}

/**
 * The request target as a decoded path and a query, or null when it is malformed (an absolute
 * URL with a broken host such as `http://[`, `//[`, a bad percent-escape, a NUL, a path that is
 * not absolute). Never throws.
 */
export function parseTarget(raw: string | undefined): Target | null {
  if (typeof raw !== 'string' || raw.length === 0 || raw.length > 8192 || !raw.startsWith('/') || raw.startsWith('//')) return null;
  const q = raw.indexOf('?');
  const rawPath = q < 0 ? raw : raw.slice(0, q);
  let pathname: string;
  try {
    pathname = decodeURIComponent(rawPath);
  } catch {
    return null;
  }
  if (pathname.includes('\0') || pathname.includes('\\')) return null;
  let query: URLSearchParams;
  try {
    query = new URLSearchParams(q < 0 ? '' : raw.slice(q + 1));
  } catch {
    return null;
  }
  return { pathname, query };
}

export function sameSecret(a: string | null | undefined, b: string): boolean {
  if (typeof a !== 'string' || a.length === 0) return false;
  const x = Buffer.from(a);
  const y = Buffer.from(b);
  return x.length === y.length && timingSafeEqual(x, y);
}

/** The token a request presents: `?token=` (the printed URL, the page's socket) or a Bearer header. */
export function presentedToken(req: IncomingMessage, target: Target): string | null {
  const fromQuery = target.query.get('token');
  if (fromQuery) return fromQuery;
  const auth = req.headers.authorization;
  return typeof auth === 'string' && auth.startsWith('Bearer ') ? auth.slice(7) : null;
}

/** A key derived from the token that unlocks the app's static files only (never the socket). */
export function pageKey(token: string): string {
  return createHmac('sha256', token).update('glasswing static files').digest('base64url');
}

/** One cookie name per port, so two web hosts on one machine do not overwrite each other's. */
export function pageCookieName(port: number): string {
  return `glasswing_page_${port}`;
}

export function presentedPageKey(req: IncomingMessage, port: number): string | null {
  const header = req.headers.cookie;
  if (typeof header !== 'string') return null;
  const name = pageCookieName(port);
  for (const part of header.split(';')) {
    const eq = part.indexOf('=');
    if (eq > 0 && part.slice(0, eq).trim() === name) return part.slice(eq + 1).trim();
  }
  return null;
}
