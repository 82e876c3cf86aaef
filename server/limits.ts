/**
 * Limits on what one request, one client address and one user may cost (issue 10): a body
 * size limit answered 413 before anything is read or parsed, a URL length limit answered 414,
 * and fixed-window rate limits answered 429 with `Retry-After` (seconds) — per client address
 * on the anonymous sign-in routes, per user on writes. Every refusal has the standard error
 * shape and appends nothing. Counters live in memory, per process (`hono-rate-limiter`).
 */
import { getConnInfo } from '@hono/node-server/conninfo';
import type { Context, MiddlewareHandler } from 'hono';
import { bodyLimit } from 'hono/body-limit';
import { rateLimiter } from 'hono-rate-limiter';
import { ClashError } from '../core/errors.ts';
import type { Config } from './config.ts';
import type { AppEnv } from './route-module.ts';

/** The longest URL (path and query) accepted, in characters; every route's ids and cursors fit in far less. */
export const MAX_URL_LENGTH = 4096;

/** The anonymous routes limited per client address: each may grow a table or cost a signature check. */
export const ANONYMOUS_PATHS: ReadonlySet<string> = new Set([
  '/api/v1/auth/nonce',
  '/api/v1/auth/verify',
  '/api/v1/auth/refresh',
  '/api/v1/auth/logout',
]);

const WRITES: ReadonlySet<string> = new Set(['POST', 'PUT', 'PATCH', 'DELETE']);

/** 413 `payload_too_large` for a body over `CLASH_MAX_BODY_BYTES` (declared or streamed). */
export function bodySizeLimit(config: Config): MiddlewareHandler<AppEnv> {
  const maxSize = config.CLASH_MAX_BODY_BYTES;
  return bodyLimit({
    maxSize,
    onError: () => {
      throw new ClashError('payload_too_large', 'too_large', `request bodies are limited to ${maxSize} bytes`, { maxBytes: maxSize });
    },
  });
}

/** 414 `uri_too_long` for a URL over MAX_URL_LENGTH characters. */
export const urlLengthLimit: MiddlewareHandler<AppEnv> = async (c, next) => {
  const { pathname, search } = new URL(c.req.url);
  if (pathname.length + search.length > MAX_URL_LENGTH) {
    throw new ClashError('uri_too_long', 'uri_too_long', `URLs are limited to ${MAX_URL_LENGTH} characters`, {
      maxLength: MAX_URL_LENGTH,
    });
  }
  await next();
};

/** The caller's socket address ("unknown" when the request did not come over a socket, as in app.request tests). */
export function clientAddress(c: Context): string {
  try {
    return getConnInfo(c).remote.address ?? 'unknown';
  } catch {
    return 'unknown';
  }
}

function limiter(
  config: Config,
  limit: number,
  key: (c: Context<AppEnv>) => string,
  applies: (c: Context<AppEnv>) => boolean,
): MiddlewareHandler<AppEnv> {
  const windowMs = config.CLASH_RATE_LIMIT_WINDOW_SECONDS * 1000;
  if (limit === 0) return async (_c, next) => next();
  return rateLimiter<AppEnv>({
    windowMs,
    limit,
    standardHeaders: 'draft-7',
    keyGenerator: key,
    skip: (c) => !applies(c),
    handler: (c) => {
      const resetTime = (c as Context).get('rateLimit')?.resetTime as Date | undefined;
      const retryAfterSeconds = Math.max(1, Math.ceil(((resetTime?.getTime() ?? Date.now() + windowMs) - Date.now()) / 1000));
      throw new ClashError('rate_limited', 'rate_limited', `too many requests; retry in ${retryAfterSeconds} s`, {
        limit,
        windowSeconds: config.CLASH_RATE_LIMIT_WINDOW_SECONDS,
        retryAfterSeconds,
      });
    },
  });
}

/** `CLASH_RATE_LIMIT_ANONYMOUS` requests per window per client address on ANONYMOUS_PATHS. */
export function anonymousRateLimit(config: Config): MiddlewareHandler<AppEnv> {
  return limiter(
    config,
    config.CLASH_RATE_LIMIT_ANONYMOUS,
    (c) => `address:${clientAddress(c)}`,
    (c) => ANONYMOUS_PATHS.has(c.req.path),
  );
}

/** `CLASH_RATE_LIMIT_USER_WRITES` writes per window per signed-in user (runs after authentication). */
export function userWriteRateLimit(config: Config): MiddlewareHandler<AppEnv> {
  const userOf = (c: Context<AppEnv>) => {
    const p = c.get('principal');
    return p?.kind === 'user' ? p.userId : null;
  };
  return limiter(
    config,
    config.CLASH_RATE_LIMIT_USER_WRITES,
    (c) => `user:${userOf(c)}`,
    (c) => WRITES.has(c.req.method) && userOf(c) !== null,
  );
}
