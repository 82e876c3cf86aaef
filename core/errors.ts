/**
 * Typed errors of the engine. Each carries a stable `code` and a `kind` that the HTTP layer
 * maps to a status, so core stays free of HTTP while every failure stays distinguishable.
 */
export type ErrorKind =
  | 'invalid' // the input is malformed (400)
  | 'unauthorized' // no or bad credentials (401)
  | 'forbidden' // authenticated but not allowed (403)
  | 'not_found' // the thing does not exist (404)
  | 'conflict' // a concurrent or duplicate write (409)
  | 'unprocessable' // well-formed but refused by a rule (422)
  | 'too_large' // the request is larger than accepted (413)
  | 'uri_too_long' // the URL is longer than accepted (414)
  | 'rate_limited' // too many requests from this caller; retry later (429)
  | 'unavailable' // a dependency is down, or storage is full (503)
  | 'corrupt'; // stored data fails its own schema (500): an operator must look, a retry will not help

export class ClashError extends Error {
  /**
   * `info` holds the figures behind the error (the HTTP layer sends it as `details`). It is not
   * called `details` here because uvu treats an error's `details` as a printable diff string.
   */
  constructor(
    readonly code: string,
    readonly kind: ErrorKind,
    message: string,
    readonly info: Record<string, unknown> = {},
  ) {
    super(message);
    this.name = new.target.name;
  }
}

/** The stream was not at the version the writer expected; nothing was written. */
export class ConcurrencyError extends ClashError {
  constructor(
    readonly streamId: string,
    readonly expected: string | number,
    readonly actual: number,
  ) {
    super('concurrency_conflict', 'conflict', `stream ${streamId} is at version ${actual}, expected ${expected}`, {
      streamId,
      expected,
      actual,
    });
  }
}

/** The idempotency key was used before with a different payload. */
export class IdempotencyConflict extends ClashError {
  constructor(readonly key: string) {
    super('idempotency_conflict', 'unprocessable', `idempotency key ${key} was already used with a different payload`, { key });
  }
}

export interface FieldIssue {
  path: string;
  message: string;
}

/** Input failed a schema; names every bad field. */
export class ValidationError extends ClashError {
  constructor(
    readonly source: string,
    readonly issues: FieldIssue[],
  ) {
    const first = issues[0];
    super('validation_failed', 'invalid', first ? `${source}: ${first.path || '(root)'}: ${first.message}` : `${source}: invalid`, {
      source,
      issues,
    });
  }
}

/**
 * A stored event row this code cannot read back: its data or metadata fails the schema of its
 * type and version, or the type or version is unknown here. Names where it is, so an operator
 * can find it (`clash events tail --from POSITION-1`); `reason` is the decoder's message.
 */
export class CorruptEventError extends ClashError {
  constructor(
    readonly position: number,
    readonly streamId: string,
    readonly type: string,
    reason: string,
  ) {
    super('event_corrupt', 'corrupt', `event at position ${position} (stream ${streamId}, type ${type}) cannot be read: ${reason}`, {
      position,
      streamId,
      type,
      reason,
    });
  }
}

/** A rule of the domain refused the command (for example: insufficient balance). */
export class DomainError extends ClashError {}

export class NotFoundError extends ClashError {
  constructor(what: string, id: string) {
    super('not_found', 'not_found', `${what} ${id} not found`, { what, id });
  }
}
