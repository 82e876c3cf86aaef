/**
 * The OpenAPI 3.1 document the server serves at `/api/v1/openapi.json`: every route with its
 * schemas, the security schemes, and the failure statuses that follow from how a route is
 * declared, added where the route did not list them: 401 and 403 for a secured route (the
 * access guard, `routes/access.ts`), 400 and 415 for a route with a JSON body (the validator
 * and the media-type gate of @hono/zod-openapi), and the limits of `limits.ts`: 413 for a route
 * with a body, 429 for a rate-limited route (the anonymous sign-in routes, a user's writes), 503
 * for a write (`storage_full`; the nonce route also `sign_in_busy`). 414 and 431 are answered
 * before any route is chosen and are documented once, in doc/api.md. All failures have the
 * `Error` schema.
 */
import type { OpenAPIHono } from '@hono/zod-openapi';
import type { Env } from 'hono';
import { ANONYMOUS_PATHS } from './limits.ts';
import { securitySchemes } from './routes/access.ts';

export const OPENAPI_PATH = '/api/v1/openapi.json';

const ERROR_REF = { $ref: '#/components/schemas/Error' };
const IMPLIED: Record<string, string> = {
  400: 'Invalid input; details.issues names each bad field',
  401: 'No valid credentials for this route (`Authorization: Bearer <token>`)',
  403: 'The credentials are valid but not for this route (wrong kind, not an admin, not the owner)',
  413: 'The body is larger than CLASH_MAX_BODY_BYTES (`payload_too_large`); it was not read',
  415: 'The body is not `application/json`',
  429: 'Too many requests from this client address or user (`rate_limited`); `Retry-After` says when to retry',
  503: 'Not now: storage is full (`storage_full`, retryable, `Retry-After`) or a dependency is unavailable (the code says which)',
};

const WRITES = new Set(['post', 'put', 'patch', 'delete']);
/** True when the route is limited per user on writes (`userWriteRateLimit`): a write a user may make. */
const userWrite = (method: string, op: Operation) =>
  WRITES.has(method) && (op.security ?? []).some((s) => typeof s === 'object' && s !== null && 'userToken' in s);

/** The statuses a route answers because of how it is declared and limited. */
function impliedStatuses(path: string, method: string, op: Operation): string[] {
  const anonymousLimited = ANONYMOUS_PATHS.has(path);
  return [
    ...(op.security && op.security.length > 0 ? ['401', '403'] : []),
    ...(op.requestBody ? ['400', '413', '415'] : []),
    ...(anonymousLimited || userWrite(method, op) ? ['429'] : []),
    ...(WRITES.has(method) || anonymousLimited ? ['503'] : []),
  ];
}

interface Operation {
  security?: unknown[];
  requestBody?: unknown;
  responses: Record<string, unknown>;
}

/** Builds the document once the routes are registered. */
export function openApiDocument<E extends Env>(app: OpenAPIHono<E>): ReturnType<OpenAPIHono<E>['getOpenAPI31Document']> {
  for (const [name, scheme] of Object.entries(securitySchemes)) app.openAPIRegistry.registerComponent('securitySchemes', name, scheme);
  const doc = app.getOpenAPI31Document({
    openapi: '3.1.0',
    info: {
      title: 'Clash ledger API',
      version: '1',
      description: 'Conventions (names, times, units, errors, paging, CORS) and the user journey: doc/api.md.',
    },
    servers: [{ url: '/', description: 'the server that serves this document' }],
  });
  for (const [path, operations] of Object.entries(doc.paths ?? {})) {
    for (const [method, op] of Object.entries(operations as Record<string, Operation>)) {
      for (const status of impliedStatuses(path, method, op)) {
        op.responses[status] ??= { description: IMPLIED[status], content: { 'application/json': { schema: ERROR_REF } } };
      }
      op.responses = Object.fromEntries(Object.entries(op.responses).sort(([a], [b]) => Number(a) - Number(b)));
    }
  }
  return doc;
}
