/**
 * Reading market memory as of a time T: every method takes `at` (ms) and returns only rows
 * known at or before it — candles closed by T, mids and contexts taken by T, indicator rows of
 * candles closed by T — so a decision context or a backtest at T never sees the future.
 * Prices as decimal strings in USD (PRICE scale formatted), times as ISO 8601 UTC.
 */
import type { Db } from '../../core/database.ts';
import { formatDecimal } from '../../core/money.ts';
import { BOUND_LIMIT } from '../../core/statements.ts';
import { DerivedSeries, type IndicatorRow } from './derived/derived-series.ts';
import { channelsOf, LiveRows, type MarketChannel } from './live-rows.ts';
import { MarketMemory } from './market-memory.ts';
import type { AssetInfo } from './price-source.ts';
import type { AssetVersion, MarginTableVersion, TaxonomyVersion } from './registry-history.ts';
import { ensureLlamaTable, knownAfterMs } from './sources/defillama.ts';
import { PRICE, RATE, SIZE } from './units.ts';

/** An asset as the registry knows it now (the live path), with the channels it supports. */
export interface AssetView extends AssetInfo {
  readonly marginTableId: number | null;
  readonly onlyIsolated: boolean;
  readonly channels: readonly MarketChannel[];
}

export interface CandleView {
  readonly openTime: string;
  readonly closeTime: string;
  readonly open: string;
  readonly high: string;
  readonly low: string;
  readonly close: string;
  readonly volume: string;
}

/** What `clash market show` prints: the newest of each row kind at or before `at`, and the registry entry in effect then. */
export interface MarketSnapshot {
  readonly asset: string;
  readonly at: string;
  readonly candle1m: CandleView | null;
  readonly mid: { readonly time: string; readonly price: string } | null;
  readonly fundingRatePerHour: string | null;
  readonly context: {
    readonly time: string;
    readonly markPx: string;
    readonly oraclePx: string | null;
    readonly openInterest: string | null;
  } | null;
  readonly indicators: Omit<IndicatorRow, 'asset' | 'openTime' | 'closeTime'> | null;
  /** The registry entry in effect at `at` (`effectiveFrom` ISO 8601 UTC); null before the asset's first recorded refresh. */
  readonly registry: (Omit<AssetVersion, 'name' | 'effectiveFrom'> & { readonly effectiveFrom: string }) | null;
}

type CandleDbRow = { open_time: number; close_time: number; open: string; high: string; low: string; close: string; volume: string };

const iso = (ms: number) => new Date(ms).toISOString();

/** A registry version as a snapshot shows it: every field but the name, its effective time in ISO 8601 UTC. */
const registryView = ({ name: _name, effectiveFrom, ...fields }: AssetVersion): MarketSnapshot['registry'] => ({
  effectiveFrom: iso(effectiveFrom),
  ...fields,
});
const price = (s: string) => formatDecimal(BigInt(s), PRICE);
const candleView = (r: CandleDbRow): CandleView => ({
  openTime: iso(r.open_time),
  closeTime: iso(r.close_time),
  open: price(r.open),
  high: price(r.high),
  low: price(r.low),
  close: price(r.close),
  volume: formatDecimal(BigInt(r.volume), SIZE),
});

/** A DefiLlama point as read: its source time (ISO 8601 UTC) and value (USD, a float: context, not money). */
export interface LlamaView {
  readonly time: string;
  readonly value: number;
}

export class MarketReader {
  private readonly memory;
  private readonly derived;
  private readonly live;
  private readonly sql;

  constructor(readonly db: Db) {
    this.memory = new MarketMemory(db);
    ensureLlamaTable(db);
    this.derived = new DerivedSeries(db);
    this.live = new LiveRows(db, this.memory);
    this.sql = {
      // `open_time <= at` bounds the key range (a candle closes after it opens): without it the scan runs to the newest candle.
      candles: db.prepare<[string, number, number, number, number, number], CandleDbRow>(
        `SELECT open_time, close_time, open, high, low, close, volume FROM market_candles
         WHERE asset = ? AND interval_ms = ? AND open_time >= ? AND open_time <= ? AND close_time <= ? ORDER BY open_time LIMIT ${BOUND_LIMIT}`,
      ),
      mid: db.prepare<[string, number], { time: number; price: string }>(
        'SELECT time, price FROM market_mids WHERE asset = ? AND time <= ? ORDER BY time DESC LIMIT 1',
      ),
      funding: db.prepare<[string, number], { rate: string }>(
        'SELECT rate FROM market_funding WHERE asset = ? AND time <= ? ORDER BY hour DESC LIMIT 1',
      ),
      llama: db.prepare<[string, string, string, number, number], { time: number; value: number }>(
        `SELECT time, value FROM defillama_points
         WHERE scope_kind = ? AND scope_id = ? AND metric = ? AND time >= ? AND time <= ? ORDER BY time`,
      ),
      lastCandle: db.prepare<[string, number], CandleDbRow>(
        `SELECT open_time, close_time, open, high, low, close, volume FROM market_candles
         WHERE asset = ? AND interval_ms = 60000 AND close_time <= ? ORDER BY open_time DESC LIMIT 1`,
      ),
    };
  }

  /** The registry entry of `asset` with its details and channels; undefined when the registry does not know it. */
  asset(asset: string): AssetView | undefined {
    const info = this.memory.asset(asset);
    if (!info) return undefined;
    const details = this.live.details(asset);
    return {
      ...info,
      marginTableId: details?.marginTableId ?? null,
      onlyIsolated: details?.onlyIsolated ?? false,
      channels: channelsOf(info.kind),
    };
  }

  /**
   * The registry entry of `asset` in effect at `at` (ms) — szDecimals, max leverage, kind,
   * enabled, margin table, onlyIsolated, delisted, when it took effect — with its channels; for
   * a backtest or an audit at T. Undefined before the asset's first recorded refresh.
   */
  assetAt(asset: string, at: number): (AssetVersion & { readonly channels: readonly MarketChannel[] }) | undefined {
    const v = this.live.history.assetAt(asset, at);
    return v && { ...v, channels: channelsOf(v.kind) };
  }

  /** Margin table `tableId` in effect at `at` (ms): tiers by lower bound (USD, PRICE scale). */
  marginTableAt(tableId: number, at: number): MarginTableVersion | undefined {
    return this.live.history.marginTableAt(tableId, at);
  }

  /** The taxonomy file version in effect at `at` (ms). */
  taxonomyAt(at: number): TaxonomyVersion | undefined {
    return this.live.history.taxonomyAt(at);
  }

  /** Closed candles of `intervalMs` opened at or after `from` and closed at or before `at` (ms), oldest first, at most `limit`. */
  candles(asset: string, intervalMs: number, from: number, at: number, limit = 10_080): CandleView[] {
    return this.sql.candles.all(asset, intervalMs, from, at, at, limit).map(candleView);
  }

  /** Indicator rows of candles opened at or after `from` and closed at or before `at` (ms). */
  indicators(asset: string, from: number, at: number): IndicatorRow[] {
    return this.derived.indicatorsBetween(asset, from, at);
  }

  /**
   * DefiLlama points of a scope (`global`/`all`, `chain`, `protocol`, `stablecoin`) and metric
   * (`tvl`, `flows`, `dex_volume`, `fees`, `revenue`, `open_interest`) that became known between
   * `from` and `at` (ms), oldest first: a snapshot (TVL, flows) is known at its date, a daily
   * total once its UTC day has ended (`knownAfterMs`) — so a 24 h lookback of a daily total
   * yields the day that ended within it.
   */
  llama(scopeKind: string, scopeId: string, metric: string, from: number, at: number): LlamaView[] {
    const lag = knownAfterMs(metric);
    return this.sql.llama.all(scopeKind, scopeId, metric, from - lag, at - lag).map((p) => ({ time: iso(p.time), value: p.value }));
  }

  /** The newest candle, mid, funding rate, context and indicator row of `asset` known at `at` (ms). */
  snapshot(asset: string, at: number): MarketSnapshot {
    const candle = this.sql.lastCandle.get(asset, at);
    const mid = this.sql.mid.get(asset, at);
    const funding = this.sql.funding.get(asset, at);
    const ctx = this.live.contextAt(asset, at);
    const ind = this.derived.indicatorsAt(asset, at);
    const version = this.live.history.assetAt(asset, at);
    return {
      asset,
      at: iso(at),
      candle1m: candle ? candleView(candle) : null,
      mid: mid ? { time: iso(mid.time), price: price(mid.price) } : null,
      fundingRatePerHour: funding ? formatDecimal(BigInt(funding.rate), RATE) : null,
      context: ctx
        ? {
            time: iso(ctx.time),
            markPx: price(ctx.markPx),
            oraclePx: ctx.oraclePx && price(ctx.oraclePx),
            openInterest: ctx.openInterest && formatDecimal(BigInt(ctx.openInterest), SIZE),
          }
        : null,
      indicators: ind
        ? {
            rsi14: ind.rsi14,
            sma20: ind.sma20,
            ema20: ind.ema20,
            bbMiddle: ind.bbMiddle,
            bbUpper: ind.bbUpper,
            bbLower: ind.bbLower,
            macd: ind.macd,
            macdSignal: ind.macdSignal,
            macdHistogram: ind.macdHistogram,
          }
        : null,
      registry: version ? registryView(version) : null,
    };
  }
}
