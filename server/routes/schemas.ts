/**
 * Schemas shared by every route: the error body, and the wire forms of the API conventions
 * (`doc/api.md` "Conventions"): times as ISO 8601 UTC with milliseconds, amounts as integer
 * decimal strings whose field name carries the unit (`…MicroUsd`, `…Wei`, `…E8`).
 */
import { z } from '@hono/zod-openapi';

export const ErrorSchema = z
  .object({
    error: z.object({
      code: z.string().openapi({ example: 'validation_failed' }),
      message: z.string(),
      details: z
        .record(z.string(), z.unknown())
        .openapi({ description: 'The figures of the failure; `issues: [{ path, message }]` for validation_failed' }),
    }),
  })
  .openapi('Error');

const errorDescriptions = {
  400: 'Invalid input; details.issues names each bad field',
  401: 'No valid session, or the credentials were refused (the code says why)',
  403: 'Signed in, but not allowed to do this',
  404: 'No such resource',
  409: 'Conflicts with the current state',
  422: 'Refused by a rule; the code and details name it',
  500: 'Stored data fails its own check (the code says which): an operator must look, a retry will not help',
  503: 'A dependency is unavailable or not configured; the code says which',
} as const;

/** OpenAPI error responses for the given statuses. */
export function errorsOf<S extends keyof typeof errorDescriptions>(...statuses: S[]) {
  return Object.fromEntries(
    statuses.map((s) => [s, { description: errorDescriptions[s], content: { 'application/json': { schema: ErrorSchema } } }]),
  ) as unknown as { [K in S]: { description: string; content: { 'application/json': { schema: typeof ErrorSchema } } } };
}

/** Times go on the wire as ISO 8601 UTC strings with milliseconds; `ms` is milliseconds since the epoch. */
export const iso = (ms: number) => new Date(ms).toISOString();

/** `iso` of a nullable time. */
export const isoOrNull = (ms: number | null) => (ms === null ? null : iso(ms));

/** Whether `text` names an instant that exists, written as `iso` writes it (`2026-02-30T…` and hour 24 do not). */
export const isRealTime = (text: string) => {
  const ms = Date.parse(text);
  return Number.isFinite(ms) && iso(ms) === text;
};

/** An instant on the wire: `2026-01-05T00:00:00.000Z`; as input, one that exists (else 400 naming the field). */
export const zTime = z
  .string()
  .max(24)
  .regex(/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$/)
  .refine(isRealTime, 'a UTC time that exists, YYYY-MM-DDTHH:mm:ss.sssZ')
  .openapi({ format: 'date-time', example: '2026-01-05T00:00:00.000Z' });

/** A UTC calendar day on the wire: `2026-01-05`; `utcDay` counts days since the epoch. */
export const isoDay = (utcDay: number) => iso(utcDay * 86_400_000).slice(0, 10);
export const zDay = z
  .string()
  .regex(/^\d{4}-\d{2}-\d{2}$/)
  .openapi({ format: 'date', example: '2026-01-05' });

const amount = (signed: boolean, unit: string, example: string) => (description?: string) =>
  z
    .string()
    .regex(signed ? /^-?\d+$/ : /^\d+$/)
    .openapi({ description: description ? `${description}; ${unit}` : unit, example });

/** Non-negative micro-USD (1e-6 USD) as an integer decimal string. */
export const zMicroUsd = amount(false, 'micro-USD (1e-6 USD), integer decimal string', '10000000000');
/** Signed micro-USD (PnL, funding, equity after losses). */
export const zSignedMicroUsd = amount(true, 'micro-USD (1e-6 USD), signed integer decimal string', '-2500000');
/** Non-negative wei as an integer decimal string. */
export const zWei = amount(false, 'wei, integer decimal string', '10000000000000000');
/** Non-negative 1e-8 fixed point (prices: 1e-8 USD per unit of the asset). */
export const zE8 = amount(false, '1e-8 fixed point, integer decimal string', '10000000000000');
/** Signed 1e-8 fixed point (sizes: 1e-8 units of the asset, positive long or buy, negative short or sell). */
export const zSignedE8 = amount(true, '1e-8 fixed point, signed integer decimal string', '50000000');

/** A JSON content entry for createRoute. */
export const json = <T>(schema: T) => ({ 'application/json': { schema } });
