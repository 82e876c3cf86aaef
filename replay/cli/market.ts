/** clash market import FILE… [--at ISO]: load market data files into market memory, idempotently. */
import { existsSync } from 'node:fs';
import { basename } from 'node:path';
import { z } from 'zod';
import { DerivedSeries } from '../../adapters/market/derived/derived-series.ts';
import { importMarketFile } from '../../adapters/market/importers/import-file.ts';
import { MarketMemory } from '../../adapters/market/market-memory.ts';
import { MarketReader } from '../../adapters/market/market-reader.ts';
import { openDatabase } from '../../core/database.ts';
import { commonFlags, defineCommand, existingDb, isoTimeFlag } from './command.ts';

export const marketImport = defineCommand({
  words: ['market', 'import'],
  usage: 'clash market import FILE… [--at ISO-8601] [--db PATH] [--json]',
  summary:
    'load candles (with their indicators and 1h rollup), mids, funding rates and assets (Bybit CSV, Hyperliquid info responses); importing twice changes nothing',
  options: { at: { type: 'string' } },
  schema: z.object({
    ...commonFlags,
    at: isoTimeFlag.optional(),
    positionals: z.array(z.string().refine((f) => existsSync(f), 'no such file')).min(1, 'give at least one FILE'),
  }),
  run: (flags, ctx) => {
    const db = openDatabase(flags.db ?? ctx.env.CLASH_DB ?? './data/clash.db');
    try {
      const memory = new MarketMemory(db);
      const derived = new DerivedSeries(db);
      const summaries = flags.positionals.map((file) => {
        const progress = ctx.out.progress(`import ${basename(file)}`);
        const summary = importMarketFile(memory, file, {
          ...(flags.at === undefined ? {} : { at: flags.at }),
          derived,
          onProgress: progress.update,
        });
        progress.stop();
        return summary;
      });
      ctx.out.data(summaries);
      ctx.out.table(
        summaries.map((s) => ({
          file: basename(s.file),
          format: s.format,
          rows: s.rows,
          ...Object.fromEntries(
            Object.entries(s.counts).map(([table, c]) => [table, `${c.written} new/changed, ${c.unchanged} unchanged`]),
          ),
        })),
      );
      const written = summaries.reduce((n, s) => n + Object.values(s.counts).reduce((m, c) => m + c.written, 0), 0);
      ctx.out.line(`${summaries.length} file(s), ${written} row(s) written`);
      return 0;
    } finally {
      db.close();
    }
  },
});

export const marketShow = defineCommand({
  words: ['market', 'show'],
  usage: 'clash market show ASSET [--at ISO-8601] [--db PATH] [--json]',
  summary:
    'the latest 1m candle, mid, funding, context and every indicator value of ASSET at or before a time (default now), and its registry entry then',
  options: { at: { type: 'string' } },
  schema: z.object({
    ...commonFlags,
    at: isoTimeFlag.optional(),
    positionals: z.tuple([z.string().regex(/^[A-Za-z0-9]{1,20}$/, 'an asset symbol such as BTC')]),
  }),
  run: (flags, ctx) => {
    const db = openDatabase(existingDb(flags.db, ctx.env));
    try {
      const view = new MarketReader(db).snapshot(flags.positionals[0], flags.at ?? Date.now());
      ctx.out.data(view);
      ctx.out.table(
        Object.entries(view).map(([field, value]) => ({
          field,
          value: value === null ? '-' : typeof value === 'object' ? JSON.stringify(value) : String(value),
        })),
      );
      return 0;
    } finally {
      db.close();
    }
  },
});
