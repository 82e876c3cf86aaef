/**
 * A small command framework: each command declares its words, its flags (node's parseArgs)
 * and a zod schema for them, so bad flags exit 2 naming the flag, like every other boundary.
 */
import { existsSync } from 'node:fs';
import { type ParseArgsConfig, parseArgs } from 'node:util';
import { z } from 'zod';
import type { Composition } from '../../server/composition.ts';
import type { Output } from './output.ts';

export interface CliContext {
  readonly out: Output;
  readonly composition: Composition;
  readonly env: Record<string, string | undefined>;
}

export interface CliCommand<F = unknown> {
  /** The words that select it, e.g. ['projections', 'status']. */
  readonly words: readonly string[];
  readonly usage: string;
  readonly summary: string;
  readonly options?: NonNullable<ParseArgsConfig['options']>;
  /** Validates `{ ...flags, positionals }`. */
  readonly schema: z.ZodType<F>;
  run(input: F, ctx: CliContext): Promise<number> | number;
}

export function defineCommand<F>(command: CliCommand<F>): CliCommand<F> {
  return command;
}

export const commonOptions = {
  db: { type: 'string' },
  json: { type: 'boolean' },
  help: { type: 'boolean', short: 'h' },
} as const satisfies NonNullable<ParseArgsConfig['options']>;

/** Flags every command takes. The database defaults to CLASH_DB, then ./data/clash.db. */
export const commonFlags = {
  db: z.string().min(1).optional(),
  json: z.boolean().default(false),
};

export class UsageError extends Error {}

export function parseCommandArgs<F>(command: CliCommand<F>, args: readonly string[]): F {
  let parsed: { values: Record<string, unknown>; positionals: string[] };
  try {
    parsed = parseArgs({ args: [...args], options: { ...commonOptions, ...command.options }, allowPositionals: true, strict: true });
  } catch (error) {
    throw new UsageError((error as Error).message);
  }
  const result = command.schema.safeParse({ ...parsed.values, positionals: parsed.positionals });
  if (!result.success) {
    const issue = result.error.issues[0];
    const field = issue?.path[0] === 'positionals' ? 'argument' : `--${String(issue?.path[0] ?? '')}`;
    throw new UsageError(`${field}: ${issue?.message ?? 'invalid'}`);
  }
  return result.data;
}

/** The database path for a command that reads an existing ledger (it must not create one). */
export function existingDb(flag: string | undefined, env: Record<string, string | undefined>): string {
  const path = flag ?? env.CLASH_DB ?? './data/clash.db';
  if (path !== ':memory:' && !existsSync(path)) throw new UsageError(`--db: no ledger at ${path}`);
  return path;
}

/** An integer flag given as a string (parseArgs has no number type). */
export const intFlag = (min = 0) => z.coerce.number().int().min(min);

/** An ISO-8601 time flag (with offset, e.g. `2026-01-05T00:00:00Z`) as ms since the epoch. */
export const isoTimeFlag = z.iso
  .datetime({ offset: true, message: 'an ISO-8601 time such as 2026-01-05T00:00:00Z' })
  .transform((s) => Date.parse(s));
