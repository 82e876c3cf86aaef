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
