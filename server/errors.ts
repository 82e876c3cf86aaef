/**
 * One error shape for every failure: `{ error: { code, message, details } }`, with the status
 * from the error's kind. Unknown errors become a 500 that says nothing about internals.
 */
import type { Context } from 'hono';
import { HTTPException } from 'hono/http-exception';
import type { ContentfulStatusCode } from 'hono/utils/http-status';
import { toWire } from '../core/canonical-json.ts';
import { ClashError, type ErrorKind } from '../core/errors.ts';

const STATUS: Record<ErrorKind, ContentfulStatusCode> = {
  invalid: 400,
  unauthorized: 401,
  forbidden: 403,
  not_found: 404,
  conflict: 409,
  unprocessable: 422,
  unavailable: 503,
  corrupt: 500,
};

export interface ErrorBody {
  error: { code: string; message: string; details: Record<string, unknown> };
}

export function errorResponse(c: Context, error: unknown): Response {
  if (error instanceof ClashError) {
    return c.json<ErrorBody>(
      { error: { code: error.code, message: error.message, details: toWire<Record<string, unknown>>(error.info) } },
      STATUS[error.kind],
    );
  }
  if (error instanceof HTTPException && error.status < 500) {
    return c.json<ErrorBody>({ error: { code: 'bad_request', message: error.message, details: {} } }, error.status);
  }
  return c.json<ErrorBody>({ error: { code: 'internal', message: 'internal error', details: {} } }, 500);
}
