/**
 * Wiring of market ingestion: its options from configuration and the `ingestion` worker the
 * server (or `clash worker ingestion`) runs.
 */
import type { Logger } from 'pino';
import { ingestionStatus } from '../adapters/market/ingestion/health.ts';
import { type MarketIngestionOptions, type RunningIngestion, startMarketIngestion } from '../adapters/market/ingestion/market-ingestion.ts';
import type { LlamaFeed } from '../adapters/market/sources/defillama.ts';
import { loadTaxonomy } from '../adapters/market/taxonomy.ts';
import type { WorkerDefinition } from '../core/operations/worker-loop.ts';
import { type Config, openConfiguredArtifactStore } from './config.ts';
import type { Ledger } from './context.ts';

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
    defillama: {
      api: config.DEFILLAMA_API_URL,
      stablecoins: config.DEFILLAMA_STABLECOINS_URL,
      everyMs: config.DEFILLAMA_POLL_MS,
      dimensionsEveryMs: config.DEFILLAMA_DIMENSIONS_POLL_MS,
      feeds: llamaFeeds(config),
    },
    healthFlushMs: 1000,
    taxonomy: loadTaxonomy(config.CLASH_TAXONOMY_FILE),
    retention: {
      everyMs: config.MARKET_ARCHIVE_EVERY_MS,
      policy: { minuteRowsMs: config.MARKET_RETENTION_1M_HOURS * 3_600_000, hourRowsMs: config.MARKET_RETENTION_1H_DAYS * 86_400_000 },
      store: openConfiguredArtifactStore(config),
    },
  };
}

/** `DEFILLAMA_FEEDS` plus a `tvl:protocol:SLUG` feed per `DEFILLAMA_PROTOCOLS` slug, each once. */
export function llamaFeeds(config: Pick<Config, 'DEFILLAMA_FEEDS' | 'DEFILLAMA_PROTOCOLS'>): LlamaFeed[] {
  const all = [
    ...config.DEFILLAMA_FEEDS,
    ...config.DEFILLAMA_PROTOCOLS.map((slug): LlamaFeed => ({ metric: 'tvl', scopeKind: 'protocol', scopeId: slug })),
  ];
  const seen = new Set<string>();
  return all.filter((f) => {
    const key = `${f.metric}:${f.scopeKind}:${f.scopeId}`;
    return !seen.has(key) && seen.add(key) !== undefined;
  });
}

/**
 * The `ingestion` worker (`workers.ts`): exclusive (one process ingests; a standby takes over
 * when its lease lapses), started at the first tick; each tick (every second) flushes health and
 * reports how many channels are failing or stale. `close` stops the sockets and pollers.
 * `CLASH_INGESTION=off` (the default with NODE_ENV=test) means it cannot run here.
 */
export function ingestionWorker(ledger: Ledger, config: Config, log: Logger): WorkerDefinition | string {
  if ((config.CLASH_INGESTION ?? (config.NODE_ENV === 'test' ? 'off' : 'on')) === 'off') return 'CLASH_INGESTION is off';
  let running: RunningIngestion | undefined;
  return {
    name: 'ingestion',
    intervalMs: 1000,
    exclusive: true,
    tickAtStart: true,
    tick: (now) => {
      if (!running) {
        running = startMarketIngestion(ledger.store.db, ingestionOptions(config), log, () => ledger.clock.now());
        log.info({ hyperliquid: config.HYPERLIQUID_API_URL }, 'market ingestion started');
      }
      running.health.flush();
      const states = ingestionStatus(ledger.store.db, now).map((h) => h.state);
      return { signals: { failing: states.filter((s) => s === 'failing').length, stale: states.filter((s) => s === 'stale').length } };
    },
    close: () => running?.stop(),
  };
}
