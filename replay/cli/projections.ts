/** clash projections status | rebuild [NAME…] | verify [NAME…] */
import { z } from 'zod';
import { rebuildProjections, verifyProjections } from '../../core/projection-rebuild.ts';
import { openLedger } from '../../server/context.ts';
import { type CliContext, commonFlags, defineCommand, existingDb, UsageError } from './command.ts';

const schema = z.object({ ...commonFlags, positionals: z.array(z.string()) });

/** Opens the ledger for `fn`: read-only unless `writes` (status and verify never write; rebuild does). */
function withLedger<T>(
  flags: { db?: string | undefined },
  ctx: CliContext,
  writes: boolean,
  fn: (ledger: ReturnType<typeof openLedger>) => T,
): T {
  const progress = ctx.out.progress('start-up rebuild');
  const dbPath = existingDb(flags.db, ctx.env);
  const ledger = openLedger({ dbPath, composition: ctx.composition, onProgress: progress.update, readonly: !writes });
  progress.stop();
  try {
    return fn(ledger);
  } finally {
    ledger.close();
  }
}

function selected(names: readonly string[], ctx: CliContext) {
  const all = ctx.composition.projections;
  if (names.length === 0) return all;
  return names.map((n) => {
    const p = all.find((d) => d.name === n);
    if (!p) throw new UsageError(`argument: unknown projection ${n} (known: ${all.map((d) => d.name).join(', ') || 'none'})`);
    return p;
  });
}

export const projectionsStatus = defineCommand({
  words: ['projections', 'status'],
  usage: 'clash projections status [--db PATH] [--json]',
  summary: 'checkpoint, lag and row counts of every projection',
  schema,
  run: (flags, ctx) =>
    withLedger(flags, ctx, false, (ledger) => {
      const status = ledger.projections.status();
      ctx.out.data(status);
      ctx.out.table(
        status.map((s) => ({
          projection: s.name,
          mode: s.mode,
          version: s.version,
          checkpoint: s.checkpoint,
          head: s.head,
          lag: s.lag,
          rows: s.rows,
        })),
      );
      if (status.length === 0) ctx.out.line('no projections registered');
      return 0;
    }),
});

export const projectionsRebuild = defineCommand({
  words: ['projections', 'rebuild'],
  usage: 'clash projections rebuild [NAME…] [--db PATH] [--json]',
  summary: 'rebuild projections from position 0 into shadow tables, then swap them in',
  schema,
  run: (flags, ctx) =>
    withLedger(flags, ctx, true, (ledger) => {
      const started = performance.now();
      const progress = ctx.out.progress('rebuild');
      const results = rebuildProjections(ledger.store, selected(flags.positionals, ctx), { onProgress: progress.update });
      progress.stop();
      const ms = Math.round(performance.now() - started);
      ctx.out.data(results.map((r) => ({ ...r, ms })));
      ctx.out.line(
        `rebuilt ${results.length} projection(s) in one pass over ${results[0]?.events ?? 0} events, to position ${results[0]?.position ?? 0}, in ${ms} ms`,
      );
      for (const r of results) ctx.out.line(`  ${r.name}: rows ${JSON.stringify(r.rows)}`);
      return 0;
    }),
});

export const projectionsVerify = defineCommand({
  words: ['projections', 'verify'],
  usage: 'clash projections verify [NAME…] [--db PATH] [--json]',
  summary: 'replay into a scratch database and compare every row; exit 1 on any difference',
  schema,
  run: (flags, ctx) =>
    withLedger(flags, ctx, false, (ledger) => {
      const progress = ctx.out.progress('verify');
      const results = verifyProjections(ledger.store, selected(flags.positionals, ctx), { onProgress: progress.update });
      progress.stop();
      ctx.out.data(results);
      for (const r of results) {
        if (r.ok)
          ctx.out.line(`ok      ${r.name} at position ${r.position} (${r.tables.map((t) => `${t.table}: ${t.rows} rows`).join(', ')})`);
        else if (r.stale) {
          const was = r.stale.liveVersion === null ? 'were never built' : `are at version ${r.stale.liveVersion}`;
          ctx.out.line(
            `STALE   ${r.name}: its tables ${was} (this build: version ${r.stale.version}); a writable open rebuilds them (clash projections rebuild)`,
          );
        } else {
          const d = r.firstDifference;
          ctx.out.line(`DIFFERS ${r.name} at position ${r.position}: table ${d?.table} row ${JSON.stringify(d?.key)}`);
          ctx.out.line(`        live:     ${JSON.stringify(d?.live)}`);
          ctx.out.line(`        replayed: ${JSON.stringify(d?.replayed)}`);
        }
      }
      return results.every((r) => r.ok) ? 0 : 1;
    }),
});
