/** Schemas shared by every route: the error body. */
import { z } from '@hono/zod-openapi';

export const ErrorSchema = z
  .object({
    error: z.object({
      code: z.string().openapi({ example: 'validation_failed' }),
      message: z.string(),
      details: z.record(z.string(), z.unknown()),
    }),
  })
  .openapi('Error');

export const errorResponses = {
  400: { description: 'Invalid input; details.issues names each bad field', content: { 'application/json': { schema: ErrorSchema } } },
} as const;

const errorDescriptions = {
  400: 'Invalid input; details.issues names each bad field',
  401: 'No valid session, or the credentials were refused (the code says why)',
  403: 'Signed in, but not allowed to do this',
  404: 'No such resource',
  409: 'Conflicts with the current state',
  422: 'Refused by a rule; the code and details name it',
  503: 'A dependency is unavailable or not configured; the code says which',
} as const;

/** OpenAPI error responses for the given statuses. */
export function errorsOf<S extends keyof typeof errorDescriptions>(...statuses: S[]) {
  return Object.fromEntries(
    statuses.map((s) => [s, { description: errorDescriptions[s], content: { 'application/json': { schema: ErrorSchema } } }]),
  ) as unknown as { [K in S]: { description: string; content: { 'application/json': { schema: typeof ErrorSchema } } } };
}

/** Times go on the wire as ISO 8601 strings. */
export const iso = (ms: number) => new Date(ms).toISOString();

/** A JSON content entry for createRoute. */
export const json = <T>(schema: T) => ({ 'application/json': { schema } });
