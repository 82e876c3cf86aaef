/**
 * clash dead-letters list [--all] | show ID | retry ID | discard ID: the parked worker units
 * (`core/operations/work-units.ts`) as operators see them over HTTP (`/api/v1/admin/dead-letters`).
 * `retry` gives the unit a fresh set of attempts at its worker's next tick; `discard` forgets it
 * (the units waiting behind it go on).
 */
import { z } from 'zod';
import { openDatabase } from '../../core/database.ts';
import { defaultRetryPolicy } from '../../core/operations/retry.ts';
import { type ParkedUnit, WorkUnits } from '../../core/operations/work-units.ts';
import { deadLetterView } from '../../server/routes/operations.ts';
import { type CliContext, commonFlags, defineCommand, existingDb } from './command.ts';

/** Runs `fn` over the parked units of the ledger the flags name (read-only: a file no worker ran on lists none). */
export function withUnits<T>(flags: { db?: string | undefined }, ctx: CliContext, readonly: boolean, fn: (units: WorkUnits) => T): T {
  const db = openDatabase(existingDb(flags.db, ctx.env), { readonly });
  try {
    return fn(new WorkUnits(db, defaultRetryPolicy));
  } finally {
    db.close();
  }
}

/** `ID`: a parked unit's sequence number. */
export const idArg = z.object({ ...commonFlags, positionals: z.tuple([z.coerce.number().int().positive()]) });

/** Prints one parked unit (data and lines); exit 0. */
export function printParked(ctx: CliContext, verb: string, unit: ParkedUnit): number {
  const view = deadLetterView(unit);
  ctx.out.data(view);
  ctx.out.line(`${verb} ${view.id}: ${view.worker}/${view.unit} (${view.description}) — ${view.state}, ${view.attempts} attempt(s)`);
  ctx.out.line(`  first failure ${view.firstFailureAt ?? '-'}, last ${view.lastFailureAt ?? '-'}, next attempt ${view.nextAttemptAt}`);
  ctx.out.line(`  ordering key ${view.orderingKey ?? '-'}, blocking ${view.blocking}; last error: ${view.lastError ?? '-'}`);
  return 0;
}

/** Lists dead letters (with `all`: every parked unit) of every worker, or of `worker` only. */
export function listParked(flags: { db?: string | undefined; all: boolean }, ctx: CliContext, worker?: string): number {
  return withUnits(flags, ctx, true, (units) => {
    const items = units
      .list()
      .filter((u) => (flags.all || u.state === 'dead') && (worker === undefined || u.worker === worker))
      .map(deadLetterView);
    ctx.out.data(items);
    ctx.out.table(
      items.map((u) => ({
        id: u.id,
        worker: u.worker,
        unit: u.unit,
        state: u.state,
        attempts: u.attempts,
        lastFailure: u.lastFailureAt ?? '-',
        blocking: u.blocking,
        error: (u.lastError ?? '-').slice(0, 60),
      })),
    );
    ctx.out.line(`${items.length} ${flags.all ? 'parked unit(s)' : 'dead letter(s)'}`);
    return 0;
  });
}

/** `[--all]` of the dead-letter lists (`listParked`). */
export const listFlags = {
  options: { all: { type: 'boolean' } },
  schema: z.object({ ...commonFlags, all: z.boolean().default(false), positionals: z.array(z.string()).max(0) }),
} as const;

export const deadLettersList = defineCommand({
  words: ['dead-letters', 'list'],
  usage: 'clash dead-letters list [--all] [--db PATH] [--json]',
  summary: 'dead letters (with --all: every parked unit, retrying and waiting too)',
  ...listFlags,
  run: (flags, ctx) => listParked(flags, ctx),
});

export const deadLettersShow = defineCommand({
  words: ['dead-letters', 'show'],
  usage: 'clash dead-letters show ID [--db PATH] [--json]',
  summary: 'one parked unit: its error, attempts, first and last failure, what waits behind it',
  schema: idArg,
  run: (flags, ctx) => withUnits(flags, ctx, true, (units) => printParked(ctx, 'dead letter', units.show(flags.positionals[0]))),
});

export const deadLettersRetry = defineCommand({
  words: ['dead-letters', 'retry'],
  usage: 'clash dead-letters retry ID [--db PATH] [--json]',
  summary: 'give a parked unit a fresh set of attempts (its worker takes it at the next tick)',
  schema: idArg,
  run: (flags, ctx) => withUnits(flags, ctx, false, (units) => printParked(ctx, 'retrying', units.retry(flags.positionals[0], Date.now()))),
});

export const deadLettersDiscard = defineCommand({
  words: ['dead-letters', 'discard'],
  usage: 'clash dead-letters discard ID [--db PATH] [--json]',
  summary: 'forget a parked unit without running it (the units behind it go on)',
  schema: idArg,
  run: (flags, ctx) => withUnits(flags, ctx, false, (units) => printParked(ctx, 'discarded', units.discard(flags.positionals[0]))),
});
