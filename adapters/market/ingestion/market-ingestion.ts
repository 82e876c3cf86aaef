/**
 * All of market ingestion in one process: Hyperliquid (WebSocket + REST), Polymarket Gamma and
 * DefiLlama polls, and the health flush. Every source retries with backoff on its own; with no
 * network each channel reports `failing` and nothing else is affected.
 */

import { z } from 'zod';
import type { Db } from '../../../core/database.ts';
import type { ArtifactStore } from '../../artifacts/store.ts';
import { DerivedSeries } from '../derived/derived-series.ts';
import { HyperliquidInfo } from '../hyperliquid/info-client.ts';
import { LiveRows } from '../live-rows.ts';
import { MarketMemory } from '../market-memory.ts';
import { DAY_MS, MarketRetention, type RetentionPolicy } from '../retention.ts';
import { feedRequest, LLAMA_FEED_METRICS, type LlamaFeed, type LlamaUrls, storeLlamaPoints } from '../sources/defillama.ts';
import { fetchJson, InvalidPayload } from '../sources/http-json.ts';
import { parseGammaMarkets, storeGammaMarkets } from '../sources/polymarket.ts';
import type { Taxonomy } from '../taxonomy.ts';
import { IngestionHealth } from './health.ts';
import { HyperliquidIngestion, type HyperliquidIngestionOptions, type IngestionLog } from './hyperliquid-ingestion.ts';
import { type Poller, startPoller } from './poller.ts';

export interface MarketIngestionOptions {
  readonly hyperliquid: HyperliquidIngestionOptions & { readonly apiUrl: string };
  readonly polymarket: { readonly url: string; readonly everyMs: number; readonly limit: number };
  /**
   * DefiLlama feeds (`sources/defillama.ts`), one poller per metric (the health channel): `tvl`
   * every `everyMs`, the daily dimensions (`dex_volume`, `fees`, `revenue`, `open_interest`)
   * every `dimensionsEveryMs`.
   */
  readonly defillama: LlamaUrls & { readonly everyMs: number; readonly dimensionsEveryMs: number; readonly feeds: readonly LlamaFeed[] };
  readonly healthFlushMs: number;
  /** The taxonomy file this process uses: its version is recorded in the registry history at start (`registry-history.ts`). */
  readonly taxonomy?: Taxonomy;
  /** Archive then delete old rows every `everyMs` (0: never) into `store` (`retention.ts`). */
  readonly retention: { readonly everyMs: number; readonly policy: RetentionPolicy; readonly store: ArtifactStore };
}

export interface RunningIngestion {
  readonly health: IngestionHealth;
  readonly hyperliquid: HyperliquidIngestion;
  stop(): Promise<void>;
}

export function startMarketIngestion(db: Db, options: MarketIngestionOptions, log: IngestionLog, now: () => number): RunningIngestion {
  const memory = new MarketMemory(db);
  const live = new LiveRows(db, memory);
  if (options.taxonomy) live.history.recordTaxonomy(options.taxonomy, now());
  const health = new IngestionHealth(db, now);
  const hyperliquid = new HyperliquidIngestion(
    {
      db,
      memory,
      live,
      derived: new DerivedSeries(db),
      info: new HyperliquidInfo(options.hyperliquid.apiUrl),
      health,
      log,
      now,
    },
    options.hyperliquid,
  );
  const failed = (source: string, channel: string) => (err: unknown, failures: number) => {
    if (err instanceof InvalidPayload) health.invalid(source, channel, err.problem);
    else health.failure(source, channel, err);
    log.warn({ err: err instanceof Error ? err.message : String(err), source, channel, failures }, 'poll failed; retrying with backoff');
  };
  health.declare('polymarket', 'markets', 3 * options.polymarket.everyMs);
  const pollers: Poller[] = [
    startPoller({
      everyMs: options.polymarket.everyMs,
      run: async () => {
        const at = now();
        const url = `${options.polymarket.url}/markets?active=true&closed=false&limit=${options.polymarket.limit}`;
        const { markets, invalid } = parseGammaMarkets(await fetchJson(url, z.unknown(), 'markets'));
        for (const problem of invalid) health.invalid('polymarket', 'markets', problem);
        const rows = storeGammaMarkets(db, markets, at);
        const newest = Math.max(0, ...markets.map((m) => Date.parse(m.updatedAt)));
        health.success('polymarket', 'markets', rows, newest > 0 ? newest : undefined);
      },
      onError: failed('polymarket', 'markets'),
    }),
  ];
  for (const metric of LLAMA_FEED_METRICS) {
    const feeds = options.defillama.feeds.filter((f) => f.metric === metric);
    if (feeds.length === 0) continue;
    const everyMs = metric === 'tvl' ? options.defillama.everyMs : options.defillama.dimensionsEveryMs;
    // Daily series are dated at their day's start and the newest complete day is yesterday's:
    // up to two days of lag are normal, and stale beyond that plus three polls.
    health.declare('defillama', metric, 3 * everyMs + 2 * DAY_MS);
    pollers.push(
      startPoller({ everyMs, run: () => pollLlama(db, options.defillama, feeds, health, metric), onError: failed('defillama', metric) }),
    );
  }
  if (options.retention.everyMs > 0) {
    const retention = new MarketRetention(db, options.retention.store, options.retention.policy);
    health.declare('market', 'retention', 3 * options.retention.everyMs);
    pollers.push(
      startPoller({
        everyMs: options.retention.everyMs,
        run: async () => {
          const at = now();
          const report = await retention.run(at);
          if (report.rows > 0) log.info({ files: report.files.length, rows: report.rows }, 'market rows archived and deleted');
          health.success('market', 'retention', report.rows, at);
        },
        onError: failed('market', 'retention'),
      }),
    );
  }
  hyperliquid.start();
  const flush = setInterval(() => {
    try {
      health.flush();
    } catch (err) {
      log.warn({ err }, 'ingestion health flush failed');
    }
  }, options.healthFlushMs);
  flush.unref();
  return {
    health,
    hyperliquid,
    stop: async () => {
      clearInterval(flush);
      for (const p of pollers) await p.stop();
      await hyperliquid.stop();
      health.flush();
    },
  };
}

/**
 * One poll of a DefiLlama channel: each feed fetched and stored on its own, so one bad answer
 * does not hide the others. An invalid payload is counted against the channel and nothing of it
 * is stored; the stored feeds report success (rows, newest source time); an unreachable feed is
 * rethrown after the others ran, so the channel turns `failing` and backs off.
 */
async function pollLlama(db: Db, urls: LlamaUrls, feeds: readonly LlamaFeed[], health: IngestionHealth, channel: string): Promise<void> {
  let unavailable: unknown = null;
  for (const feed of feeds) {
    const request = feedRequest(feed, urls);
    try {
      const points = request.points(await fetchJson(request.url, request.schema, channel));
      const newest = points.length > 0 ? Math.max(...points.map((p) => p.time)) : undefined;
      health.success('defillama', channel, storeLlamaPoints(db, points), newest);
    } catch (err) {
      if (err instanceof InvalidPayload) health.invalid('defillama', channel, `${feed.scopeKind}:${feed.scopeId}: ${err.problem}`);
      else unavailable = err;
    }
  }
  if (unavailable !== null) throw unavailable;
}
