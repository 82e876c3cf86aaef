/**
 * Rows derived from final 1-minute candles, per asset: the indicator row at each close
 * (`market_indicators`) and the 1-hour OHLCV rollup (a `market_candles` row with
 * `interval_ms = 3,600,000`). Incremental: each final candle costs one step of
 * `stepIndicators`, one indicator row and one state row — never a read of stored candles. The
 * hour being rolled up lives in the state and is written as a candle once final: when its
 * xx:59 minute is applied, or (that minute missing) when the next hour's first minute is, the
 * same rule as for 1m candles; `openHour` reads the hour in progress. The running state (`market_derived_state`, JSON) is written in the same
 * transaction as the rows it produced, so after a crash the series continues from the last
 * candle it applied, neither skipping nor applying one twice.
 *
 * Order: a final candle at or before the asset's last applied one is ignored here (it is still
 * stored as a candle); derived rows follow the stream forward only. A hole the feed could not
 * backfill is stepped over (the next close follows the last one).
 */
import type { Db } from '../../../core/database.ts';
import type { Candle } from '../market-memory.ts';
import { HOUR_MS } from '../market-memory.ts';
import { PRICE } from '../units.ts';
import { type IndicatorState, type IndicatorValues, initialIndicatorState, stepIndicators } from './indicators.ts';

export const MINUTE_MS = 60_000;

/** The hour being rolled up (exported for readers of the open hour): open/high/low/close in PRICE units, volume in SIZE units, as decimal strings. */
export interface HourRollup {
  readonly openTime: number;
  readonly open: string;
  readonly high: string;
  readonly low: string;
  readonly close: string;
  readonly volume: string;
}

interface DerivedState {
  /** Open time (ms) of the last final 1m candle applied. */
  readonly lastOpenTime: number;
  readonly indicators: IndicatorState;
  readonly hour: HourRollup | null;
}

/** An indicator row as stored: the 1m candle's open time and close time (ms) with its values. */
export interface IndicatorRow extends IndicatorValues {
  readonly asset: string;
  readonly openTime: number;
  readonly closeTime: number;
}

const SCHEMA = `
CREATE TABLE IF NOT EXISTS market_indicators (
  asset TEXT NOT NULL, open_time INTEGER NOT NULL, close_time INTEGER NOT NULL,
  rsi14 REAL, sma20 REAL, ema20 REAL, bb_middle REAL, bb_upper REAL, bb_lower REAL,
  macd REAL, macd_signal REAL, macd_histogram REAL,
  PRIMARY KEY (asset, open_time)
) STRICT, WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS market_derived_state (
  asset TEXT PRIMARY KEY, last_open_time INTEGER NOT NULL, state TEXT NOT NULL
) STRICT, WITHOUT ROWID;
`;

const COLUMNS = ['rsi14', 'sma20', 'ema20', 'bb_middle', 'bb_upper', 'bb_lower', 'macd', 'macd_signal', 'macd_histogram'] as const;

type IndicatorDbRow = { asset: string; open_time: number; close_time: number } & Record<(typeof COLUMNS)[number], number | null>;

const toRow = (r: IndicatorDbRow): IndicatorRow => ({
  asset: r.asset,
  openTime: r.open_time,
  closeTime: r.close_time,
  rsi14: r.rsi14,
  sma20: r.sma20,
  ema20: r.ema20,
  bbMiddle: r.bb_middle,
  bbUpper: r.bb_upper,
  bbLower: r.bb_lower,
  macd: r.macd,
  macdSignal: r.macd_signal,
  macdHistogram: r.macd_histogram,
});

const big = (s: string) => BigInt(s);
const maxOf = (a: string, b: string) => (big(a) >= big(b) ? a : b);
const minOf = (a: string, b: string) => (big(a) <= big(b) ? a : b);

/** True for the minute that ends an hour (xx:59): its hour is final once it is applied. */
const isLastMinute = (openTime: number) => (openTime + MINUTE_MS) % HOUR_MS === 0;

/** Merges a final 1m candle into its hour (a new hour starts from the candle itself). Exact (bigint). */
function rollInto(hour: HourRollup | null, c: Candle): HourRollup {
  const openTime = c.openTime - (c.openTime % HOUR_MS);
  const [open, high, low, close, volume] = [c.open, c.high, c.low, c.close, c.volume].map(String) as [
    string,
    string,
    string,
    string,
    string,
  ];
  if (!hour || hour.openTime !== openTime) return { openTime, open, high, low, close, volume };
  return {
    openTime,
    open: hour.open,
    high: maxOf(hour.high, high),
    low: minOf(hour.low, low),
    close,
    volume: String(big(hour.volume) + big(volume)),
  };
}

export class DerivedSeries {
  private readonly cache = new Map<string, DerivedState>();
  private readonly sql;

  constructor(readonly db: Db) {
    db.exec(SCHEMA);
    this.sql = {
      state: db.prepare<[string], { state: string }>('SELECT state FROM market_derived_state WHERE asset = ?'),
      saveState: db.prepare(
        `INSERT INTO market_derived_state (asset, last_open_time, state) VALUES (?, ?, ?)
         ON CONFLICT (asset) DO UPDATE SET last_open_time = excluded.last_open_time, state = excluded.state`,
      ),
      indicator: db.prepare(
        `INSERT OR REPLACE INTO market_indicators (asset, open_time, close_time, ${COLUMNS.join(', ')})
         VALUES (?, ?, ?, ${COLUMNS.map(() => '?').join(', ')})`,
      ),
      hour: db.prepare(
        `INSERT INTO market_candles (asset, interval_ms, open_time, close_time, open, high, low, close, volume)
         VALUES (?, ${HOUR_MS}, ?, ?, ?, ?, ?, ?, ?)
         ON CONFLICT (asset, interval_ms, open_time) DO UPDATE SET close_time = excluded.close_time, open = excluded.open,
           high = excluded.high, low = excluded.low, close = excluded.close, volume = excluded.volume`,
      ),
      at: db.prepare<[string, number], IndicatorDbRow>(
        'SELECT * FROM market_indicators WHERE asset = ? AND close_time <= ? ORDER BY open_time DESC LIMIT 1',
      ),
      // `open_time <= to` bounds the key range (a row closes after it opens): without it the scan runs to the newest row.
      range: db.prepare<[string, number, number, number], IndicatorDbRow>(
        'SELECT * FROM market_indicators WHERE asset = ? AND open_time >= ? AND open_time <= ? AND close_time <= ? ORDER BY open_time',
      ),
    };
  }

  private stateOf(asset: string): DerivedState | undefined {
    const cached = this.cache.get(asset);
    if (cached) return cached;
    const row = this.sql.state.get(asset);
    if (!row) return undefined;
    const state = JSON.parse(row.state) as DerivedState;
    this.cache.set(asset, state);
    return state;
  }

  /** Open time (ms) of the last final 1m candle applied for `asset`; undefined before the first. */
  lastFinalOpenTime(asset: string): number | undefined {
    return this.stateOf(asset)?.lastOpenTime;
  }

  /**
   * Applies final 1m candles, in open-time order, in one transaction. Candles at or before
   * their asset's last applied one are skipped. Returns how many applied.
   */
  applyFinal(candles: readonly Candle[]): number {
    return this.db.transaction(() => this.applyWithin(candles))();
  }

  /** `applyFinal` inside the caller's transaction (which must commit or roll back the rows and the state together). */
  applyWithin(candles: readonly Candle[]): number {
    let applied = 0;
    for (const c of candles) {
      const prev = this.stateOf(c.asset);
      if (prev && c.openTime <= prev.lastOpenTime) continue;
      const { state: indicators, values } = stepIndicators(
        prev?.indicators ?? initialIndicatorState(),
        Number(c.close) / Number(PRICE.one),
      );
      const hour = rollInto(prev?.hour ?? null, c);
      const next: DerivedState = { lastOpenTime: c.openTime, indicators, hour };
      const v = values;
      this.sql.indicator.run(
        c.asset,
        c.openTime,
        c.openTime + MINUTE_MS,
        v.rsi14,
        v.sma20,
        v.ema20,
        v.bbMiddle,
        v.bbUpper,
        v.bbLower,
        v.macd,
        v.macdSignal,
        v.macdHistogram,
      );
      const finished = prev?.hour;
      if (finished && finished.openTime !== hour.openTime && !isLastMinute(prev.lastOpenTime)) this.writeHour(c.asset, finished);
      if (isLastMinute(c.openTime)) this.writeHour(c.asset, hour);
      this.sql.saveState.run(c.asset, c.openTime, JSON.stringify(next));
      this.cache.set(c.asset, next);
      applied += 1;
    }
    return applied;
  }

  private writeHour(asset: string, h: HourRollup): void {
    this.sql.hour.run(asset, h.openTime, h.openTime + HOUR_MS, h.open, h.high, h.low, h.close, h.volume);
  }

  /** The hour being rolled up for `asset` (not stored as a candle until it is final), or undefined. */
  openHour(asset: string): HourRollup | undefined {
    return this.stateOf(asset)?.hour ?? undefined;
  }

  /** Forgets cached state (after a rolled-back transaction, or to prove a restart reads it back). */
  reload(): void {
    this.cache.clear();
  }

  /** The newest indicator row whose candle closed at or before `at` (ms). */
  indicatorsAt(asset: string, at: number): IndicatorRow | undefined {
    const r = this.sql.at.get(asset, at);
    return r && toRow(r);
  }

  /** Indicator rows of candles opened at or after `from` and closed at or before `to` (ms), oldest first. */
  indicatorsBetween(asset: string, from: number, to: number): IndicatorRow[] {
    return this.sql.range.all(asset, from, to, to).map(toRow);
  }
}
