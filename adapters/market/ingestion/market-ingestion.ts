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
import { MarketRetention, type RetentionPolicy } from '../retention.ts';
import { protocolPoints, storeLlamaPoints, zProtocolTvl } from '../sources/defillama.ts';
import { fetchJson, InvalidPayload } from '../sources/http-json.ts';
import { parseGammaMarkets, storeGammaMarkets } from '../sources/polymarket.ts';
import { IngestionHealth } from './health.ts';
import { HyperliquidIngestion, type HyperliquidIngestionOptions, type IngestionLog } from './hyperliquid-ingestion.ts';
import { type Poller, startPoller } from './poller.ts';

export interface MarketIngestionOptions {
  readonly hyperliquid: HyperliquidIngestionOptions & { readonly apiUrl: string };
  readonly polymarket: { readonly url: string; readonly everyMs: number; readonly limit: number };
  readonly defillama: { readonly url: string; readonly everyMs: number; readonly protocols: readonly string[] };
  readonly healthFlushMs: number;
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
  const health = new IngestionHealth(db, now);
  const hyperliquid = new HyperliquidIngestion(
    {
      db,
      memory,
      live: new LiveRows(db, memory),
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
  health.declare('defillama', 'tvl', 3 * options.defillama.everyMs);
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
    startPoller({
      everyMs: options.defillama.everyMs,
      run: async () => {
        for (const slug of options.defillama.protocols) {
          const data = await fetchJson(`${options.defillama.url}/protocol/${encodeURIComponent(slug)}`, zProtocolTvl, 'tvl');
          const points = protocolPoints(slug, data);
          const newest = points.length > 0 ? Math.max(...points.map((p) => p.time)) : undefined;
          health.success('defillama', 'tvl', storeLlamaPoints(db, points), newest);
        }
      },
      onError: failed('defillama', 'tvl'),
    }),
  ];
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
