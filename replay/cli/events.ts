/** clash events stats | tail [--from POS] [--limit N] | stream STREAM_ID */
import { statSync } from 'node:fs';
import { z } from 'zod';
import { wireJson } from '../../core/canonical-json.ts';
import type { RecordedEvent } from '../../core/event-store.ts';
import { openLedger } from '../../server/context.ts';
import { buildCatalog, catalogMarkdown } from '../event-catalog.ts';
import { type CliContext, commonFlags, defineCommand, existingDb, intFlag } from './command.ts';

function readLedger<T>(db: string | undefined, ctx: CliContext, fn: (ledger: ReturnType<typeof openLedger>, path: string) => T): T {
  const path = existingDb(db, ctx.env);
  const ledger = openLedger({ dbPath: path, composition: ctx.composition, readonly: true });
  try {
    return fn(ledger, path);
  } finally {
    ledger.close();
  }
}

/**
 * The ledger's size on disk in bytes: the database file, its write-ahead log and the WAL index
 * (`-wal`, `-shm`; SQLite keeps recent commits in the WAL until a checkpoint, so the database
 * file alone undercounts). A file that does not exist counts 0; an in-memory ledger is all 0.
 */
function fileBytes(path: string): { db: number; wal: number; shm: number } {
  const size = (file: string) => (path === ':memory:' ? 0 : (statSync(file, { throwIfNoEntry: false })?.size ?? 0));
  return { db: size(path), wal: size(`${path}-wal`), shm: size(`${path}-shm`) };
}

function printEvents(events: readonly RecordedEvent[], ctx: CliContext): void {
  ctx.out.data(events);
  for (const e of events) {
    ctx.out.line(`#${e.position} ${new Date(e.recordedAt).toISOString()} ${e.streamId}@${e.streamVersion} ${e.type} ${wireJson(e.data)}`);
  }
}

export const eventsStats = defineCommand({
  words: ['events', 'stats'],
  usage: 'clash events stats [--db PATH] [--json]',
  summary: 'event count, head, streams, counts by type and stream category, size on disk (database, WAL and shared memory)',
  schema: z.object({ ...commonFlags, positionals: z.array(z.string()).max(0) }),
  run: (flags, ctx) =>
    readLedger(flags.db, ctx, (ledger, path) => {
      const db = ledger.store.db;
      const totals = db
        .prepare(
          'SELECT count(*) AS events, count(DISTINCT stream_id) AS streams, min(recorded_at) AS first, max(recorded_at) AS last FROM events',
        )
        .get() as { events: number; streams: number; first: number | null; last: number | null };
      const byType = db.prepare('SELECT type, count(*) AS events FROM events GROUP BY type ORDER BY events DESC').all();
      const byCategory = db
        .prepare(
          `SELECT CASE WHEN instr(stream_id, '-') > 0 THEN substr(stream_id, 1, instr(stream_id, '-') - 1) ELSE stream_id END AS category,
                  count(DISTINCT stream_id) AS streams, count(*) AS events
           FROM events GROUP BY category ORDER BY events DESC`,
        )
        .all();
      const files = fileBytes(path);
      const bytes = files.db + files.wal + files.shm;
      const stats = {
        head: ledger.store.headPosition(),
        ...totals,
        first: totals.first === null ? null : new Date(totals.first).toISOString(),
        last: totals.last === null ? null : new Date(totals.last).toISOString(),
        bytes,
        files,
        byType,
        byCategory,
      };
      ctx.out.data(stats);
      ctx.out.line(
        `${stats.events} events in ${stats.streams} streams, head ${stats.head}, ${bytes} bytes (database ${files.db}, WAL ${files.wal}, shared memory ${files.shm})`,
      );
      ctx.out.line(`recorded from ${stats.first ?? '-'} to ${stats.last ?? '-'}`);
      ctx.out.line();
      ctx.out.table(byType as Record<string, unknown>[]);
      ctx.out.line();
      ctx.out.table(byCategory as Record<string, unknown>[]);
      return 0;
    }),
});

export const eventsTail = defineCommand({
  words: ['events', 'tail'],
  usage: 'clash events tail [--from POS] [--limit N] [--db PATH] [--json]',
  summary: 'events from a global position (default: the last N)',
  options: { from: { type: 'string' }, limit: { type: 'string' } },
  schema: z.object({
    ...commonFlags,
    from: intFlag(1).optional(),
    limit: intFlag(1).max(100_000).default(20),
    positionals: z.array(z.string()).max(0),
  }),
  run: (flags, ctx) =>
    readLedger(flags.db, ctx, (ledger) => {
      const head = ledger.store.headPosition();
      const after = flags.from === undefined ? Math.max(0, head - flags.limit) : flags.from - 1;
      printEvents([...ledger.store.readAll({ after, to: Math.min(head, after + flags.limit) })], ctx);
      return 0;
    }),
});

export const eventsStream = defineCommand({
  words: ['events', 'stream'],
  usage: 'clash events stream STREAM_ID [--from-version N] [--db PATH] [--json]',
  summary: 'the events of one stream',
  options: { 'from-version': { type: 'string' } },
  schema: z.object({
    ...commonFlags,
    'from-version': intFlag(1).default(1),
    positionals: z.array(z.string().min(1)).length(1, 'expects one STREAM_ID'),
  }),
  run: (flags, ctx) =>
    readLedger(flags.db, ctx, (ledger) => {
      const events = ledger.store.readStream(flags.positionals[0] as string, { fromVersion: flags['from-version'] });
      printEvents(events, ctx);
      if (events.length === 0) ctx.out.line('no events');
      return 0;
    }),
});

export const eventsCatalog = defineCommand({
  words: ['events', 'catalog'],
  usage: 'clash events catalog [--json]',
  summary: 'every event type: version, declaring module, fields (the source of doc/event-catalog.md)',
  schema: z.object({ ...commonFlags, positionals: z.array(z.string()).max(0) }),
  run: async (_flags, ctx) => {
    const entries = await buildCatalog(ctx.composition);
    ctx.out.data(entries);
    if (!ctx.out.json) ctx.out.line(catalogMarkdown(entries).trimEnd());
    return 0;
  },
});
