/**
 * clash market archive list [--asset SYMBOL] [--json]: the archived market days in the artifact store.
 * clash market archive restore --asset SYMBOL --day YYYY-MM-DD [--db PATH] [--json]: bring a day back (for a backtest).
 * The store is the configured one (`CLASH_ARTIFACTS_URL`, `CLASH_S3_*`).
 */
import { z } from 'zod';
import { DAY_MS, listArchives, restoreArchive } from '../../adapters/market/retention.ts';
import { openDatabase } from '../../core/database.ts';
import { loadConfig, openConfiguredArtifactStore } from '../../server/config.ts';
import { commonFlags, defineCommand } from './command.ts';

const zAsset = z.string().regex(/^[A-Za-z0-9/@._-]{1,40}$/, 'an asset symbol such as BTC');

export const marketArchiveList = defineCommand({
  words: ['market', 'archive', 'list'],
  usage: 'clash market archive list [--asset SYMBOL] [--json]',
  summary: 'archived market days (source, asset, day) in the artifact store, with their sizes',
  options: { asset: { type: 'string' } },
  schema: z.object({ ...commonFlags, asset: zAsset.optional(), positionals: z.array(z.string()).max(0) }),
  run: async (flags, ctx) => {
    const store = openConfiguredArtifactStore(loadConfig(ctx.env));
    const archives = await listArchives(store, flags.asset);
    ctx.out.data({ store: store.url, archives });
    ctx.out.table(archives.map((a) => ({ key: a.key, bytes: a.size })));
    ctx.out.line(`${archives.length} archive(s) in ${store.url}`);
    return 0;
  },
});

export const marketArchiveRestore = defineCommand({
  words: ['market', 'archive', 'restore'],
  usage: 'clash market archive restore --asset SYMBOL --day YYYY-MM-DD [--db PATH] [--json]',
  summary: 'write an archived day back into market memory (use --db for a backtest database: retention would archive it again)',
  options: { asset: { type: 'string' }, day: { type: 'string' } },
  schema: z.object({
    ...commonFlags,
    asset: zAsset,
    day: z.iso.date({ message: 'a UTC day such as 2026-01-05' }).transform((d) => Date.parse(`${d}T00:00:00Z`) / DAY_MS),
    positionals: z.array(z.string()).max(0),
  }),
  run: async (flags, ctx) => {
    const config = loadConfig(ctx.env);
    const db = openDatabase(flags.db ?? config.CLASH_DB);
    try {
      const counts = await restoreArchive(db, openConfiguredArtifactStore(config), flags.asset, flags.day);
      ctx.out.data({ asset: flags.asset, day: new Date(flags.day * DAY_MS).toISOString().slice(0, 10), rows: counts });
      ctx.out.table(Object.entries(counts).map(([table, rows]) => ({ table, rows })));
      return 0;
    } finally {
      db.close();
    }
  },
});
