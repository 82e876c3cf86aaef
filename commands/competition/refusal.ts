/** Refusals of the competition deciders: a DomainError with a stable code, thrown where the rule is. */
import { DomainError, type ErrorKind } from '../../core/errors.ts';

export function refuse(code: string, kind: ErrorKind, message: string, info: Record<string, unknown> = {}): never {
  throw new DomainError(code, kind, message, info);
}
