/**
 * Market memory: SQLite tables of candles, mids, hourly funding rates and the asset registry.
 * A time series, not an event stream: importers write it, fills and marks read it, and a fill
 * copies the price it used into its event so a replay never needs these tables.
 *
 * Every write is an upsert that only touches a row whose values differ, so importing the same
 * file twice changes nothing and reports every row as unchanged.
 */
import type { Db } from '../../core/database.ts';
import { BOUND_LIMIT } from '../../core/statements.ts';
import type {
  AssetInfo,
  AssetRegistry,
  CandleBar,
  CandleSource,
  FundingRate,
  FundingSource,
  PriceQuote,
  PriceSource,
} from './price-source.ts';

export const HOUR_MS = 3_600_000;

/** A candle as stored: its prices (`CandleBar`) and its volume (SIZE, 1e-8 units). */
export interface Candle extends CandleBar {
  readonly volume: bigint;
}

export interface Mid {
  readonly asset: string;
  readonly time: number;
  readonly price: bigint;
}

export interface FundingPoint {
  readonly asset: string;
  /** The exchange's timestamp (Hyperliquid's carries a few ms of jitter). */
  readonly time: number;
  readonly rate: bigint;
  readonly premium: bigint;
}

/** One batch of rows read from a file; any part may be empty. */
export interface MarketRows {
  readonly assets: readonly AssetInfo[];
  readonly candles: readonly Candle[];
  readonly mids: readonly Mid[];
  readonly funding: readonly FundingPoint[];
}

export type MarketTable = 'assets' | 'candles' | 'mids' | 'funding';
export type WriteCounts = Record<MarketTable, { written: number; unchanged: number }>;

const SCHEMA = `
CREATE TABLE IF NOT EXISTS market_assets (
  name TEXT PRIMARY KEY, sz_decimals INTEGER NOT NULL, max_leverage INTEGER NOT NULL,
  kind TEXT NOT NULL, enabled INTEGER NOT NULL
) STRICT;
CREATE TABLE IF NOT EXISTS market_candles (
  asset TEXT NOT NULL, interval_ms INTEGER NOT NULL, open_time INTEGER NOT NULL, close_time INTEGER NOT NULL,
  open TEXT NOT NULL, high TEXT NOT NULL, low TEXT NOT NULL, close TEXT NOT NULL, volume TEXT NOT NULL,
  PRIMARY KEY (asset, interval_ms, open_time)
) STRICT, WITHOUT ROWID;
CREATE INDEX IF NOT EXISTS market_candles_by_close ON market_candles (asset, close_time);
CREATE TABLE IF NOT EXISTS market_mids (
  asset TEXT NOT NULL, time INTEGER NOT NULL, price TEXT NOT NULL, PRIMARY KEY (asset, time)
) STRICT;
CREATE TABLE IF NOT EXISTS market_funding (
  asset TEXT NOT NULL, hour INTEGER NOT NULL, time INTEGER NOT NULL, rate TEXT NOT NULL, premium TEXT NOT NULL,
  PRIMARY KEY (asset, hour)
) STRICT;
`;

export class MarketMemory implements PriceSource, AssetRegistry, FundingSource, CandleSource {
  private readonly sql;

  constructor(readonly db: Db) {
    db.exec(SCHEMA);
    this.sql = {
      asset: db.prepare(
        `INSERT INTO market_assets (name, sz_decimals, max_leverage, kind, enabled) VALUES (?, ?, ?, ?, ?)
         ON CONFLICT (name) DO UPDATE SET sz_decimals = excluded.sz_decimals, max_leverage = excluded.max_leverage,
           kind = excluded.kind, enabled = excluded.enabled
         WHERE (sz_decimals, max_leverage, kind, enabled) IS NOT (excluded.sz_decimals, excluded.max_leverage, excluded.kind, excluded.enabled)`,
      ),
      candle: db.prepare(
        `INSERT INTO market_candles (asset, interval_ms, open_time, close_time, open, high, low, close, volume) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)
         ON CONFLICT (asset, interval_ms, open_time) DO UPDATE SET close_time = excluded.close_time, open = excluded.open,
           high = excluded.high, low = excluded.low, close = excluded.close, volume = excluded.volume
         WHERE (close_time, open, high, low, close, volume) IS NOT
           (excluded.close_time, excluded.open, excluded.high, excluded.low, excluded.close, excluded.volume)`,
      ),
      mid: db.prepare(
        `INSERT INTO market_mids (asset, time, price) VALUES (?, ?, ?)
         ON CONFLICT (asset, time) DO UPDATE SET price = excluded.price WHERE price IS NOT excluded.price`,
      ),
      funding: db.prepare(
        `INSERT INTO market_funding (asset, hour, time, rate, premium) VALUES (?, ?, ?, ?, ?)
         ON CONFLICT (asset, hour) DO UPDATE SET time = excluded.time, rate = excluded.rate, premium = excluded.premium
         WHERE (time, rate, premium) IS NOT (excluded.time, excluded.rate, excluded.premium)`,
      ),
      getAsset: db.prepare<[string], { name: string; sz_decimals: number; max_leverage: number; kind: string; enabled: number }>(
        'SELECT name, sz_decimals, max_leverage, kind, enabled FROM market_assets WHERE name = ?',
      ),
      lastCandle: db.prepare<[string, number], { close_time: number; close: string }>(
        'SELECT close_time, close FROM market_candles WHERE asset = ? AND close_time <= ? ORDER BY close_time DESC LIMIT 1',
      ),
      lastMid: db.prepare<[string, number], { time: number; price: string }>(
        'SELECT time, price FROM market_mids WHERE asset = ? AND time <= ? ORDER BY time DESC LIMIT 1',
      ),
      finalCandles: db.prepare<
        [string, number, number, number, number, number],
        { open_time: number; open: string; high: string; low: string; close: string }
      >(
        // open_time <= at bounds the index range: without it the scan runs to the newest candle.
        `SELECT open_time, open, high, low, close FROM market_candles
         WHERE asset = ? AND interval_ms = ? AND open_time >= ? AND open_time <= ? AND close_time <= ? ORDER BY open_time LIMIT ${BOUND_LIMIT}`,
      ),
      getFunding: db.prepare<[string, number], { rate: string }>('SELECT rate FROM market_funding WHERE asset = ? AND hour = ?'),
    };
  }

  /** Writes rows in one transaction; counts what changed and what was already there. */
  write(rows: MarketRows): WriteCounts {
    const counts: WriteCounts = {
      assets: { written: 0, unchanged: 0 },
      candles: { written: 0, unchanged: 0 },
      mids: { written: 0, unchanged: 0 },
      funding: { written: 0, unchanged: 0 },
    };
    const tally = (table: MarketTable, changes: number) => {
      if (changes > 0) counts[table].written += 1;
      else counts[table].unchanged += 1;
    };
    this.db
      .transaction(() => {
        for (const a of rows.assets)
          tally('assets', this.sql.asset.run(a.name, a.szDecimals, a.maxLeverage, a.kind, a.enabled ? 1 : 0).changes);
        for (const c of rows.candles) tally('candles', this.upsertCandle(c) ? 1 : 0);
        for (const m of rows.mids) tally('mids', this.sql.mid.run(m.asset, m.time, String(m.price)).changes);
        for (const f of rows.funding) {
          tally('funding', this.sql.funding.run(f.asset, fundingHour(f.time), f.time, String(f.rate), String(f.premium)).changes);
        }
      })
      .immediate();
    return counts;
  }

  /** Upserts one candle inside the caller's transaction; true when the row was new or changed. */
  upsertCandle(c: Candle): boolean {
    const values = [c.open, c.high, c.low, c.close, c.volume].map(String);
    return this.sql.candle.run(c.asset, c.intervalMs, c.openTime, c.openTime + c.intervalMs, ...values).changes > 0;
  }

  asset(name: string): AssetInfo | undefined {
    const r = this.sql.getAsset.get(name);
    if (!r) return undefined;
    return {
      name: r.name,
      szDecimals: r.sz_decimals,
      maxLeverage: r.max_leverage,
      kind: r.kind === 'spot' ? 'spot' : 'perp',
      enabled: r.enabled === 1,
    };
  }

  /** The later of the last candle close and the last mid at or before `at`. */
  priceAt(asset: string, at: number): PriceQuote | undefined {
    const candle = this.sql.lastCandle.get(asset, at);
    const mid = this.sql.lastMid.get(asset, at);
    const best =
      candle && (!mid || candle.close_time >= mid.time)
        ? { time: candle.close_time, price: candle.close }
        : mid && { time: mid.time, price: mid.price };
    if (!best) return undefined;
    return { asset, price: BigInt(best.price), time: best.time, ageMs: at - best.time };
  }

  finalCandles(asset: string, intervalMs: number, from: number, at: number, limit: number): CandleBar[] {
    return this.sql.finalCandles.all(asset, intervalMs, from, at, at, limit).map((r) => ({
      asset,
      intervalMs,
      openTime: r.open_time,
      open: BigInt(r.open),
      high: BigInt(r.high),
      low: BigInt(r.low),
      close: BigInt(r.close),
    }));
  }

  fundingAt(asset: string, hour: number): FundingRate | undefined {
    const r = this.sql.getFunding.get(asset, hour);
    return r ? { asset, hour, rate: BigInt(r.rate) } : undefined;
  }
}

/** The hour a funding timestamp belongs to: the exchange's jitter of a few ms is cut off. */
export function fundingHour(time: number): number {
  return time - (time % HOUR_MS);
}
