/** Refusals of the competition deciders: a DomainError with a stable code, thrown where the rule is. */
import { z } from 'zod';
import { DomainError, type ErrorKind } from '../../core/errors.ts';
import { issuesOf } from '../../core/event-registry.ts';

export function refuse(code: string, kind: ErrorKind, message: string, info: Record<string, unknown> = {}): never {
  throw new DomainError(code, kind, message, info);
}

/** Rules with configured overrides, checked in their in-memory form against the schema they are stored under. */
export function frozenRules<T extends object>(schema: z.ZodType<T>, defaults: T, overrides: Partial<T> | undefined, code: string): T {
  const rules = { ...defaults, ...overrides };
  const result = z.safeEncode(schema, rules);
  if (!result.success) refuse(code, 'invalid', 'rules are invalid', { issues: issuesOf(result.error, 'rules') });
  return rules;
}
