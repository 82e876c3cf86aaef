/**
 * One error shape for every failure: `{ error: { code, message, details } }`, with the status
 * from the error's kind. A full disk (SQLite `SQLITE_FULL`) is 503 `storage_full`, retryable.
 * Errors that say when to retry (`details.retryAfterSeconds`: 429, 503 storage_full) carry a
 * `Retry-After` header in seconds. Unknown errors become a 500 that says nothing about internals.
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
  too_large: 413,
  uri_too_long: 414,
  unprocessable: 422,
  rate_limited: 429,
  unavailable: 503,
  corrupt: 500,
};

/** How long a client should wait before retrying a write refused for a full disk, in seconds. */
const STORAGE_FULL_RETRY_SECONDS = 30;

export interface ErrorBody {
  error: { code: string; message: string; details: Record<string, unknown> };
}

/** SQLite's "database or disk is full" (better-sqlite3 SqliteError code), wherever it was raised. */
function isStorageFull(error: unknown): boolean {
  return error instanceof Error && 'code' in error && error.code === 'SQLITE_FULL';
}

/** The ClashError an error stands for, when it is one the API names. */
function named(error: unknown): ClashError | null {
  if (error instanceof ClashError) return error;
  if (isStorageFull(error)) {
    return new ClashError(
      'storage_full',
      'unavailable',
      'the ledger cannot write now (storage is full); nothing was recorded, retry later',
      {
        retryable: true,
        retryAfterSeconds: STORAGE_FULL_RETRY_SECONDS,
      },
    );
  }
  return null;
}

export function errorResponse(c: Context, error: unknown): Response {
  const clash = named(error);
  if (clash) {
    const retryAfter = clash.info.retryAfterSeconds;
    if (typeof retryAfter === 'number') c.header('Retry-After', String(retryAfter));
    return c.json<ErrorBody>(
      { error: { code: clash.code, message: clash.message, details: toWire<Record<string, unknown>>(clash.info) } },
      STATUS[clash.kind],
    );
  }
  if (error instanceof HTTPException && error.status < 500) {
    return c.json<ErrorBody>({ error: { code: 'bad_request', message: error.message, details: {} } }, error.status);
  }
  return c.json<ErrorBody>({ error: { code: 'internal', message: 'internal error', details: {} } }, 500);
}
