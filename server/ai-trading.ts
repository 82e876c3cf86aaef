/**
 * Wiring of the AI trading module's ports (`commands/ai-trading/ports.ts`) over market memory:
 * every read is bounded by the decision time `at`, so the packet builder cannot see the future.
 * Prices and sizes leave as decimal strings in USD and base units; times as ISO 8601 UTC.
 */
import { DerivedSeries } from '../adapters/market/derived/derived-series.ts';
import { LiveRows } from '../adapters/market/live-rows.ts';
import { HOUR_MS, MarketMemory } from '../adapters/market/market-memory.ts';
import { MarketReader } from '../adapters/market/market-reader.ts';
import { immediateAndLater } from '../adapters/market/sources/polymarket.ts';
import { loadTaxonomy, universeOf } from '../adapters/market/taxonomy.ts';
import { PRICE, RATE, SIZE } from '../adapters/market/units.ts';
import type { AssetFacts } from '../commands/ai-trading/candidates.ts';
import type { PipelineReaders } from '../commands/ai-trading/pipeline.ts';
import type { AccountAsOf, MarketAsOf, PolymarketMarket } from '../commands/ai-trading/ports.ts';
import type { RegistryLookup } from '../commands/ai-trading/read-plan.ts';
import type { AssetUniverse } from '../commands/clones/graph/asset-universe.ts';
import type { Db } from '../core/database.ts';
import { divide, formatDecimal, mulDiv } from '../core/money.ts';
import type { Config } from './config.ts';
import { propAccountSections } from './prop-account-section.ts';

const iso = (ms: number) => new Date(ms).toISOString();
const DAY_MS = 24 * HOUR_MS;
/** PRICE (1e-8 USD) → micro-USD, rounded down. */
const microUsd = (price: bigint) => divide(price, 100n, 'floor');

/** Market memory as of a time, for the decision context (one instance per database). */
export function marketAsOf(db: Db): MarketAsOf & { registry: RegistryLookup } {
  const memory = new MarketMemory(db);
  const reader = new MarketReader(db);
  const derived = new DerivedSeries(db);
  const live = new LiveRows(db, memory);
  const sql = {
    funding: db.prepare<[string, number, number], { time: number; rate: string }>(
      'SELECT time, rate FROM market_funding WHERE asset = ? AND time >= ? AND time <= ? ORDER BY hour',
    ),
    range: db.prepare<[string, number, number, number], { high: string | null; low: string | null }>(
      `SELECT max(CAST(high AS INTEGER)) AS high, min(CAST(low AS INTEGER)) AS low FROM market_candles
       WHERE asset = ? AND interval_ms = 60000 AND open_time >= ? AND open_time <= ? AND close_time <= ?`,
    ),
  };
  const polymarketMarket = (slug: string, at: number): PolymarketMarket[] => {
    const rows = db
      .prepare<[string, number], { slug: string; question: string; end_time: number }>(
        'SELECT slug, question, end_time FROM polymarket_markets WHERE slug = ? AND observed_at <= ? ORDER BY observed_at DESC LIMIT 1',
      )
      .all(slug, at);
    return rows.map((r) => ({ slug: r.slug, question: r.question, endTime: iso(r.end_time) }));
  };
  return {
    registry: (symbol) => {
      const a = memory.asset(symbol);
      return a && { kind: a.kind, enabled: a.enabled };
    },
    candles: (symbol, granularityMs, from, at) =>
      reader
        .candles(symbol, granularityMs, from, at)
        .map(({ openTime, open, high, low, close, volume }) => ({ openTime, open, high, low, close, volume })),
    indicators: (symbol, from, at) =>
      derived.indicatorsBetween(symbol, from, at).map((r) => ({
        openTime: iso(r.openTime),
        rsi14: r.rsi14,
        sma20: r.sma20,
        ema20: r.ema20,
        bbUpper: r.bbUpper,
        bbLower: r.bbLower,
        macd: r.macd,
        macdSignal: r.macdSignal,
        macdHistogram: r.macdHistogram,
      })),
    funding: (symbol, from, at) =>
      sql.funding.all(symbol, from, at).map((f) => ({ time: iso(f.time), ratePerHour: formatDecimal(BigInt(f.rate), RATE) })),
    context: (symbol, at) => {
      const c = live.contextAt(symbol, at);
      if (!c) return null;
      return {
        time: iso(c.time),
        markPx: formatDecimal(BigInt(c.markPx), PRICE),
        openInterest: c.openInterest && formatDecimal(BigInt(c.openInterest), SIZE),
        dayNotionalVolumeUsd: c.dayNtlVlm && formatDecimal(BigInt(c.dayNtlVlm), PRICE),
        fundingRatePerHour: formatDecimal(BigInt(c.funding), RATE),
      };
    },
    llama: (kind, id, metric, from, at) => reader.llama(kind, id, metric, from, at),
    polymarket: (kind, slug, at) => {
      if (kind === 'market') return polymarketMarket(slug, at);
      const { immediate, later } = immediateAndLater(db, slug, at);
      return [immediate, later].flatMap((m) => (m ? [{ slug: m.slug, question: m.question, endTime: iso(m.endTime) }] : []));
    },
    facts: (symbol, at): AssetFacts => {
      const quote = memory.priceAt(symbol, at);
      const c = live.contextAt(symbol, at);
      const range = sql.range.get(symbol, at - DAY_MS, at, at);
      const high = range?.high == null ? null : BigInt(range.high);
      const low = range?.low == null ? null : BigInt(range.low);
      return {
        lastCandleCloseTime: quote ? quote.time : null,
        dayVolumeMicroUsd: c?.dayNtlVlm ? microUsd(BigInt(c.dayNtlVlm)) : null,
        openInterestMicroUsd: c?.openInterest ? microUsd(mulDiv(BigInt(c.openInterest), BigInt(c.markPx), 10n ** 8n, 'floor')) : null,
        dayRangePpm:
          high !== null && low !== null && quote && quote.price > 0n ? Number(mulDiv(high - low, 1_000_000n, quote.price, 'floor')) : null,
      };
    },
  };
}

/** No prop account: the account section is null (the Latest Data drawer, packet tests without a ledger). */
export const noAccounts: AccountAsOf = { account: () => null };

/**
 * The pipeline's readers over one ledger database: market memory as of T, the registry, the
 * clone's prop account (`propAccountSections`), the universe (registry ⋈ taxonomy file, read per call).
 */
export function pipelineReadersOf(
  db: Db,
  config: Pick<Config, 'CLASH_TAXONOMY_FILE'>,
): PipelineReaders & { universe: () => AssetUniverse } {
  const market = marketAsOf(db);
  const taxonomy = loadTaxonomy(config.CLASH_TAXONOMY_FILE);
  return { market, registry: market.registry, accounts: propAccountSections(db), universe: () => universeOf(db, taxonomy) };
}
