/**
 * Cross-origin access for browser frontends (`CLASH_CORS_ORIGINS`, `doc/api.md` "CORS"). An
 * allowed origin is an exact origin (`https://app.example`) or an origin with any port
 * (`http://localhost:*`). Preflight `OPTIONS` is answered for every path with the methods the
 * API serves and the headers it reads; a refused origin gets no `Access-Control-Allow-Origin`.
 */
import type { MiddlewareHandler } from 'hono';
import { cors } from 'hono/cors';

/** What `CLASH_CORS_ORIGINS` allows when it is unset: local frontends in development and tests, nothing in production. */
export const DEVELOPMENT_CORS_ORIGINS = ['http://localhost:*', 'http://127.0.0.1:*'] as const;

/** One entry of `CLASH_CORS_ORIGINS`: scheme, host, and a port or `*`; no path. */
export const CORS_ORIGIN_PATTERN = /^https?:\/\/[a-z0-9.-]+(:(\d{1,5}|\*))?$/i;

export const CORS_METHODS = ['GET', 'POST', 'PUT'] as const;
export const CORS_HEADERS = ['Authorization', 'Content-Type', 'Idempotency-Key', 'X-Request-Id'] as const;
/** Response headers a browser script may read. */
export const CORS_EXPOSED = ['X-Request-Id'] as const;

/** True when `origin` (as a browser sends it) is one of `allowed`. */
export function originAllowed(allowed: readonly string[], origin: string): boolean {
  const lower = origin.toLowerCase();
  return allowed.some((entry) => {
    const e = entry.toLowerCase();
    if (!e.endsWith(':*')) return e === lower;
    const host = e.slice(0, -2);
    return lower === host || (lower.startsWith(`${host}:`) && /^\d{1,5}$/.test(lower.slice(host.length + 1)));
  });
}

/**
 * The CORS middleware for these allowed origins. Preflights (`OPTIONS`) go to hono's `cors`. Every
 * other request gets the same headers hono's `cors` would add (`Access-Control-Allow-Origin` for an
 * allowed origin, `Access-Control-Expose-Headers`, `Vary: Origin`), but set before the route runs:
 * hono's sets the first two on `c.res` before the route and appends `Vary` after it, which makes
 * Hono copy the route's response and @hono/node-server build a full web `Response` on every
 * request (about a tenth of a read's CPU, issue 17's profile; doc/benchmarks.md "HTTP").
 */
export function corsFor(allowed: readonly string[]): MiddlewareHandler {
  const preflight = cors({
    origin: (origin) => (origin && originAllowed(allowed, origin) ? origin : null),
    allowMethods: [...CORS_METHODS],
    allowHeaders: [...CORS_HEADERS],
    exposeHeaders: [...CORS_EXPOSED],
    maxAge: 600,
  });
  const exposed = CORS_EXPOSED.join(',');
  return async (c, next) => {
    if (c.req.method === 'OPTIONS') return preflight(c, next);
    const origin = c.req.header('origin');
    if (origin && originAllowed(allowed, origin)) c.header('Access-Control-Allow-Origin', origin);
    c.header('Access-Control-Expose-Headers', exposed);
    c.header('Vary', 'Origin');
    await next();
  };
}
