/**
 * The OpenAPI 3.1 document the server serves at `/api/v1/openapi.json`: every route with its
 * schemas, the security schemes, and the failure statuses that follow from how a route is
 * declared, added where the route did not list them: 401 and 403 for a secured route (the
 * access guard, `routes/access.ts`), 400 and 415 for a route with a JSON body (the validator
 * and the media-type gate of @hono/zod-openapi). All failures have the `Error` schema.
 */
import type { OpenAPIHono } from '@hono/zod-openapi';
import type { Env } from 'hono';
import { securitySchemes } from './routes/access.ts';

export const OPENAPI_PATH = '/api/v1/openapi.json';

const ERROR_REF = { $ref: '#/components/schemas/Error' };
const IMPLIED: Record<string, string> = {
  400: 'Invalid input; details.issues names each bad field',
  401: 'No valid credentials for this route (`Authorization: Bearer <token>`)',
  403: 'The credentials are valid but not for this route (wrong kind, not an admin, not the owner)',
  415: 'The body is not `application/json`',
};

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
  for (const path of Object.values(doc.paths ?? {})) {
    for (const op of Object.values(path as Record<string, Operation>)) {
      const implied = [...(op.security && op.security.length > 0 ? ['401', '403'] : []), ...(op.requestBody ? ['400', '415'] : [])];
      for (const status of implied) {
        op.responses[status] ??= { description: IMPLIED[status], content: { 'application/json': { schema: ERROR_REF } } };
      }
      op.responses = Object.fromEntries(Object.entries(op.responses).sort(([a], [b]) => Number(a) - Number(b)));
    }
  }
  return doc;
}
