/**
 * clash ingest status [--json]: market ingestion health per source and channel.
 * clash ingest backfill --source hyperliquid --asset BTC --from ISO --to ISO: 1m candles by REST, paged, idempotent.
 */
import { z } from 'zod';
import { HyperliquidInfo } from '../../adapters/market/hyperliquid/info-client.ts';
import { ingestionStatus } from '../../adapters/market/ingestion/health.ts';
import { fetchCandles, fundingPages } from '../../adapters/market/ingestion/hyperliquid-ingestion.ts';
import { MarketMemory } from '../../adapters/market/market-memory.ts';
import { openDatabase } from '../../core/database.ts';
import { loadConfig } from '../../server/config.ts';
import { commonFlags, defineCommand, existingDb, isoTimeFlag } from './command.ts';

const iso = (ms: number | null) => (ms === null ? null : new Date(ms).toISOString());

export const ingestStatus = defineCommand({
  words: ['ingest', 'status'],
  usage: 'clash ingest status [--db PATH] [--json]',
  summary: 'market ingestion health per source and channel: state, lag, coverage, counts, last error',
  options: {},
  schema: z.object({ ...commonFlags, positionals: z.array(z.string()).max(0) }),
  run: (flags, ctx) => {
    const db = openDatabase(existingDb(flags.db, ctx.env));
    try {
      const channels = ingestionStatus(db, Date.now());
      ctx.out.data(channels.map((h) => ({ ...h, lastSuccessAt: iso(h.lastSuccessAt), lastErrorAt: iso(h.lastErrorAt) })));
      ctx.out.table(
        channels.map((h) => ({
          source: h.source,
          channel: h.channel,
          state: h.state,
          lag: h.lagMs === null ? '-' : `${Math.round(h.lagMs / 1000)} s`,
          coverage: h.coverage ? `${h.coverage.fresh}/${h.coverage.expected}` : '-',
          'rows/h': h.rowsLastHour,
          invalid: h.invalidPayloads,
          errors: h.consecutiveErrors,
          'last error': h.lastError ?? '',
        })),
      );
      return channels.some((h) => h.state !== 'ok') ? 1 : 0;
    } finally {
      db.close();
    }
  },
});

export const ingestBackfill = defineCommand({
  words: ['ingest', 'backfill'],
  usage: 'clash ingest backfill --source hyperliquid --asset SYMBOL --from ISO --to ISO [--channel candles|funding] [--db PATH] [--json]',
  summary:
    'fetch 1m candles (candleSnapshot, a day per request) or hourly funding (fundingHistory, paged) by REST and upsert them (idempotent)',
  options: {
    source: { type: 'string' },
    asset: { type: 'string' },
    from: { type: 'string' },
    to: { type: 'string' },
    channel: { type: 'string' },
  },
  schema: z
    .object({
      ...commonFlags,
      source: z.literal('hyperliquid'),
      asset: z.string().regex(/^[A-Za-z0-9]{1,20}$/, 'an asset symbol such as BTC'),
      from: isoTimeFlag,
      to: isoTimeFlag,
      channel: z.enum(['candles', 'funding']).default('candles'),
      positionals: z.array(z.string()).max(0),
    })
    .refine((f) => f.from < f.to, { path: ['to'], message: '--to must be after --from' }),
  run: async (flags, ctx) => {
    const config = loadConfig(ctx.env);
    const db = openDatabase(flags.db ?? config.CLASH_DB);
    try {
      const memory = new MarketMemory(db);
      const info = new HyperliquidInfo(config.HYPERLIQUID_API_URL);
      const progress = ctx.out.progress(`backfill ${flags.asset} ${flags.channel}`);
      const DAY = 86_400_000;
      let written = 0;
      let fetched = 0;
      const report = (done: number) => progress.update(Math.min(done, flags.to) - flags.from, flags.to - flags.from);
      if (flags.channel === 'candles') {
        for (let start = flags.from; start < flags.to; start += DAY) {
          const candles = await fetchCandles(info, flags.asset, start, Math.min(start + DAY, flags.to));
          fetched += candles.length;
          written += memory.write({ assets: [], candles, mids: [], funding: [] }).candles.written;
          report(start + DAY);
        }
      } else {
        for await (const page of fundingPages(info, flags.asset, flags.from, flags.to)) {
          fetched += page.funding.length;
          written += memory.write(page).funding.written;
          report((page.funding[page.funding.length - 1]?.time ?? flags.to) + 1);
        }
      }
      progress.stop();
      ctx.out.data({ asset: flags.asset, channel: flags.channel, fetched, written });
      ctx.out.line(`${flags.asset}: ${fetched} ${flags.channel} row(s) fetched, ${written} new or changed`);
      return 0;
    } finally {
      db.close();
    }
  },
});
