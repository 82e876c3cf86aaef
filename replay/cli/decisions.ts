/**
 * clash decisions …: the decision worker from the command line (doc/ai-trading.md, "The worker").
 * - `run-once --clone ID [--asset A] [--force]`: one cycle now for the clone's running accounts
 *   (its due units; `--force`: a unit due now for every candidate, whatever the cadence).
 * - `pause|resume --clone ID | --source ENGINE --reason TEXT`: recorded on `decision-controls-main`;
 *   the workers honour it at the next unit. `pauses`: the pauses in force.
 * - `dead-letters list [--all] | retry ID | discard ID`: the decision worker's parked units
 *   (`clash dead-letters …` filtered to the `decisions` worker).
 */
import { z } from 'zod';
import { engineNames } from '../../adapters/models/engine.ts';
import type { ControlTarget } from '../../commands/decisions/control-events.ts';
import { DECISIONS_WORKER } from '../../commands/decisions/worker.ts';
import { loadConfig, openConfiguredArtifactStore } from '../../server/config.ts';
import { type Ledger, openLedger } from '../../server/context.ts';
import { decisionWorkerOf } from '../../server/decision-worker.ts';
import { decisionControlsOf } from '../../server/decisions.ts';
import { openOperations } from '../../server/operations.ts';
import { pausesView } from '../../server/routes/decision-controls.ts';
import { type CliContext, commonFlags, defineCommand, existingDb, UsageError } from './command.ts';
import { idArg, listFlags, listParked, printParked, withUnits } from './dead-letters.ts';

function withLedger<T>(flags: { db?: string | undefined }, ctx: CliContext, fn: (ledger: Ledger) => Promise<T> | T): Promise<T> {
  const ledger = openLedger({ dbPath: existingDb(flags.db, ctx.env), composition: ctx.composition });
  return Promise.resolve()
    .then(() => fn(ledger))
    .finally(() => ledger.close());
}

const id = z.string().min(1).max(200);

export const decisionsRunOnce = defineCommand({
  words: ['decisions', 'run-once'],
  usage: 'clash decisions run-once --clone ID [--asset A] [--force] [--db PATH] [--json]',
  summary: "one decision cycle now for the clone's running accounts (--force: every candidate, whatever the cadence)",
  options: { clone: { type: 'string' }, asset: { type: 'string' }, force: { type: 'boolean' } },
  schema: z.object({
    ...commonFlags,
    clone: id,
    asset: z
      .string()
      .regex(/^[A-Za-z0-9]{1,20}$/, 'an asset symbol such as BTC')
      .optional(),
    force: z.boolean().default(false),
    positionals: z.array(z.string()).max(0),
  }),
  run: (flags, ctx) =>
    withLedger(flags, ctx, async (ledger) => {
      const config = loadConfig({ ...ctx.env, CLASH_DB: existingDb(flags.db, ctx.env) });
      const worker = decisionWorkerOf(ledger, config, openOperations(ledger, config, openConfiguredArtifactStore(config)));
      const results = await worker.runOnce(flags.clone, ledger.clock.now(), {
        force: flags.force,
        ...(flags.asset === undefined ? {} : { asset: flags.asset }),
      });
      ctx.out.data(results);
      ctx.out.table(results.map((r) => ({ runId: r.runId, asset: r.asset, status: r.status, reason: 'reason' in r ? r.reason : '-' })));
      ctx.out.line(`${results.length} unit(s)`);
      return results.some((r) => r.status === 'retrying' || r.status === 'dead') ? 1 : 0;
    }),
});

const controlFlags = {
  options: { clone: { type: 'string' }, source: { type: 'string' }, reason: { type: 'string' } },
  schema: z
    .object({
      ...commonFlags,
      clone: id.optional(),
      source: z.enum(engineNames).optional(),
      reason: z.string().min(1).max(300),
      positionals: z.array(z.string()).max(0),
    })
    .refine((f) => (f.clone === undefined) !== (f.source === undefined), {
      path: ['clone'],
      message: 'give --clone or --source, not both',
    }),
} as const;

const targetOf = (f: { clone?: string | undefined; source?: ControlTarget['target'] | undefined }): ControlTarget =>
  f.clone !== undefined ? { scope: 'clone', target: f.clone } : { scope: 'source', target: f.source as (typeof engineNames)[number] };

/** `pause` or `resume` as the operator `cli` (the actor recorded on the event). */
const control = (verb: 'pause' | 'resume') =>
  defineCommand({
    words: ['decisions', verb],
    usage: `clash decisions ${verb} --clone ID | --source ${engineNames.join('|')} --reason TEXT [--db PATH] [--json]`,
    summary: `${verb} decision runs of a clone or of every run of an engine (at the next unit)`,
    ...controlFlags,
    run: (flags, ctx) =>
      withLedger(flags, ctx, (ledger) => {
        const controls = decisionControlsOf(ledger);
        const target = targetOf(flags);
        const state = controls[verb](target, flags.reason, 'operator:cli');
        ctx.out.data({ ...target, paused: Object.keys(state.paused).length });
        ctx.out.line(`${verb}d ${target.scope} ${target.target}; ${Object.keys(state.paused).length} pause(s) in force`);
        return 0;
      }),
  });

export const decisionsPause = control('pause');
export const decisionsResume = control('resume');

export const decisionsPauses = defineCommand({
  words: ['decisions', 'pauses'],
  usage: 'clash decisions pauses [--db PATH] [--json]',
  summary: 'the pauses of decision runs in force (clones and engines)',
  schema: z.object({ ...commonFlags, positionals: z.array(z.string()).max(0) }),
  run: (flags, ctx) =>
    withLedger(flags, ctx, (ledger) => {
      const { items } = pausesView(decisionControlsOf(ledger).state());
      ctx.out.data(items);
      ctx.out.table(items);
      ctx.out.line(`${items.length} pause(s)`);
      return 0;
    }),
});

export const decisionsDeadLettersList = defineCommand({
  words: ['decisions', 'dead-letters', 'list'],
  usage: 'clash decisions dead-letters list [--all] [--db PATH] [--json]',
  summary: 'dead decision units (with --all: retrying ones too)',
  ...listFlags,
  run: (flags, ctx) => listParked(flags, ctx, DECISIONS_WORKER),
});

/** `retry` or `discard` of a parked unit of the decision worker (another worker's unit is refused). */
const onDeadLetter = (verb: 'retry' | 'discard') =>
  defineCommand({
    words: ['decisions', 'dead-letters', verb],
    usage: `clash decisions dead-letters ${verb} ID [--db PATH] [--json]`,
    summary: verb === 'retry' ? 'a dead decision unit gets fresh attempts (the next tick runs it)' : 'forget a dead decision unit',
    schema: idArg,
    run: (flags, ctx) =>
      withUnits(flags, ctx, false, (units) => {
        const seq = flags.positionals[0];
        if (units.show(seq).worker !== DECISIONS_WORKER) throw new UsageError(`ID: ${seq} is not a unit of the decisions worker`);
        return printParked(
          ctx,
          verb === 'retry' ? 'retrying' : 'discarded',
          verb === 'retry' ? units.retry(seq, Date.now()) : units.discard(seq),
        );
      }),
  });

export const decisionsDeadLettersRetry = onDeadLetter('retry');
export const decisionsDeadLettersDiscard = onDeadLetter('discard');
