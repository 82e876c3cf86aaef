/** clash replay --to POSITION|ISO_TIME [--stream STREAM_ID] [--out FILE]: the ledger as it was at a point. */
import { z } from 'zod';
import { wireJson } from '../../core/canonical-json.ts';
import { CommandHandler } from '../../core/decider.ts';
import { replayTo } from '../../core/projection-rebuild.ts';
import { streamKindOf } from '../../server/composition.ts';
import { openLedger } from '../../server/context.ts';
import { commonFlags, defineCommand, existingDb } from './command.ts';

const point = z.union(
  [
    z
      .string()
      .regex(/^\d+$/)
      .transform((s) => ({ position: Number(s) })),
    z.iso.datetime({ offset: true }).transform((s) => ({ time: Date.parse(s) })),
  ],
  { error: 'a global position or an ISO-8601 time' },
);

export const replayCommand = defineCommand({
  words: ['replay'],
  usage: 'clash replay --to POSITION|ISO_TIME [--stream STREAM_ID] [--out FILE] [--db PATH] [--json]',
  summary: 'state as of a point: one stream folded, or every projection rebuilt into a scratch (or --out) database',
  options: { to: { type: 'string' }, stream: { type: 'string' }, out: { type: 'string' } },
  schema: z.object({
    ...commonFlags,
    to: point,
    stream: z.string().min(1).optional(),
    out: z.string().min(1).optional(),
    positionals: z.array(z.string()).max(0),
  }),
  run: (flags, ctx) => {
    const ledger = openLedger({ dbPath: existingDb(flags.db, ctx.env), composition: ctx.composition, readonly: true });
    try {
      const position =
        'position' in flags.to ? Math.min(flags.to.position, ledger.store.headPosition()) : ledger.store.positionAt(flags.to.time);
      if (flags.stream) {
        const events = ledger.store.readStream(flags.stream, { toPosition: position });
        const kind = streamKindOf(ctx.composition, flags.stream);
        const state = kind ? new CommandHandler(ledger.store, kind.decider).load(flags.stream, position).state : undefined;
        const version = events.at(-1)?.streamVersion ?? 0;
        ctx.out.data({ position, stream: flags.stream, version, events: events.length, state: state ?? null });
        ctx.out.line(`${flags.stream} as of position ${position}: version ${version} (${events.length} events)`);
        if (state !== undefined) ctx.out.line(wireJson(state, 2));
        else ctx.out.line('no decider is registered for this stream kind; `clash events stream` shows its events');
        return 0;
      }
      const progress = ctx.out.progress(`replay to ${position}`);
      const tables = replayTo(ledger.store, ctx.composition.projections, position, {
        onProgress: progress.update,
        ...(flags.out ? { outPath: flags.out } : {}),
      });
      progress.stop();
      ctx.out.data({ position, out: flags.out ?? null, tables });
      ctx.out.line(`every projection as of position ${position}${flags.out ? `, written to ${flags.out}` : ''}:`);
      ctx.out.table(tables.map((t) => ({ ...t, hash: t.hash.slice(0, 16) })));
      return 0;
    } finally {
      ledger.close();
    }
  },
});
