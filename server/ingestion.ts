/**
 * Wiring of market ingestion: its options from configuration and a worker the server (or
 * `clash worker ingestion`) runs. `CLASH_INGESTION=off` runs none.
 */
import type { Logger } from 'pino';
import { type MarketIngestionOptions, startMarketIngestion } from '../adapters/market/ingestion/market-ingestion.ts';
import { type Config, openConfiguredArtifactStore } from './config.ts';
import type { Ledger } from './context.ts';
import type { Worker } from './workers.ts';

export function ingestionOptions(config: Config): MarketIngestionOptions {
  return {
    hyperliquid: {
      apiUrl: config.HYPERLIQUID_API_URL,
      wsUrl: config.HYPERLIQUID_WS_URL,
      assets: config.HYPERLIQUID_ASSETS,
      contextsEveryMs: config.HYPERLIQUID_CONTEXTS_MS,
      predictedFundingEveryMs: config.HYPERLIQUID_PREDICTED_FUNDING_MS,
      midsEveryMs: config.HYPERLIQUID_MIDS_EVERY_MS,
      heartbeatMs: 30_000,
      baseBackoffMs: 500,
      maxBackoffMs: 30_000,
      maxBackfillMs: config.HYPERLIQUID_MAX_BACKFILL_MS,
      staleAfterMs: config.CLASH_INGEST_STALE_MS,
    },
    polymarket: { url: config.POLYMARKET_API_URL, everyMs: config.POLYMARKET_POLL_MS, limit: 100 },
    defillama: { url: config.DEFILLAMA_API_URL, everyMs: config.DEFILLAMA_POLL_MS, protocols: config.DEFILLAMA_PROTOCOLS },
    healthFlushMs: 1000,
    retention: {
      everyMs: config.MARKET_ARCHIVE_EVERY_MS,
      policy: { minuteRowsMs: config.MARKET_RETENTION_1M_HOURS * 3_600_000, hourRowsMs: config.MARKET_RETENTION_1H_DAYS * 86_400_000 },
      store: openConfiguredArtifactStore(config),
    },
  };
}

/** Starts ingestion on the ledger's database; the wall clock comes from the ledger. */
export function startIngestionWorker(ledger: Ledger, config: Config, log: Logger): Worker {
  const running = startMarketIngestion(ledger.store.db, ingestionOptions(config), log, () => ledger.clock.now());
  log.info({ hyperliquid: config.HYPERLIQUID_API_URL }, 'market ingestion started');
  return { stop: () => running.stop() };
}
