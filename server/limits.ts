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

/** Methods whose requests @hono/node-server gives no body (it never reads one for them). */
const BODILESS: ReadonlySet<string> = new Set(['GET', 'HEAD', 'OPTIONS']);

/**
 * 413 `payload_too_large` for a body over `CLASH_MAX_BODY_BYTES` (declared or streamed). A
 * declared `Content-Length` is checked from the header, as hono's `bodyLimit` does, and Node's
 * parser never delivers more than it declares; GET, HEAD and OPTIONS have no body. Only a
 * streamed (chunked) body goes through `bodyLimit`, which counts it as it arrives: asking for
 * `c.req.raw.body` makes @hono/node-server build a full web `Request` and read the body through a
 * web stream, which cost a tenth of an account read and the route's own fast body read on a
 * write (issue 17's profiles).
 */
export function bodySizeLimit(config: Config): MiddlewareHandler<AppEnv> {
  const maxSize = config.CLASH_MAX_BODY_BYTES;
  const tooLarge = () => {
    throw new ClashError('payload_too_large', 'too_large', `request bodies are limited to ${maxSize} bytes`, { maxBytes: maxSize });
  };
  const streamed = bodyLimit({ maxSize, onError: tooLarge });
  return (c, next) => {
    if (BODILESS.has(c.req.method)) return next();
    const declared = c.req.header('content-length');
    if (declared === undefined || c.req.header('transfer-encoding') !== undefined) return streamed(c, next);
    if (Number.parseInt(declared, 10) > maxSize) tooLarge();
    return next();
  };
}

/** The path and query of an absolute URL (`http://host:port/path?query` → `/path?query`), without parsing it. */
const pathAndQuery = (url: string): string => {
  const slash = url.indexOf('/', url.indexOf('//') + 2);
  return slash < 0 ? '' : url.slice(slash);
};

/** 414 `uri_too_long` for a URL over MAX_URL_LENGTH characters (path and query; a fragment never reaches a server). */
export const urlLengthLimit: MiddlewareHandler<AppEnv> = async (c, next) => {
  if (pathAndQuery(c.req.url).length > MAX_URL_LENGTH) {
    throw new ClashError('uri_too_long', 'uri_too_long', `URLs are limited to ${MAX_URL_LENGTH} characters`, {
      maxLength: MAX_URL_LENGTH,
    });
  }
  await next();
};

/** The caller's socket address ("unknown" when the request did not come over a socket, as in app.request tests). */
function clientAddress(c: Context): string {
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
  // Requests it does not apply to skip the library (and its awaits) altogether.
  const limited = rateLimiter<AppEnv>({
    windowMs,
    limit,
    standardHeaders: 'draft-7',
    keyGenerator: key,
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
  return (c, next) => (applies(c) ? limited(c, next) : next());
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
