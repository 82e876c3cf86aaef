/**
 * What the trading side needs from market memory, as small interfaces: the asset registry,
 * "the latest known price of X at or before T, with its age", and the hourly funding rate.
 * A price older than the caller's bound is refused as stale, never silently used.
 */
import { DomainError } from '../../core/errors.ts';

export interface AssetInfo {
  readonly name: string;
  /** Sizes are multiples of 10^-szDecimals units. */
  readonly szDecimals: number;
  readonly maxLeverage: number;
  readonly kind: 'perp' | 'spot';
  readonly enabled: boolean;
}

export interface AssetRegistry {
  asset(name: string): AssetInfo | undefined;
}

export interface PriceQuote {
  readonly asset: string;
  /** PRICE scale (1e-8). */
  readonly price: bigint;
  /** When the price was known (a candle's close time, a mid's snapshot time), ms since the epoch. */
  readonly time: number;
  /** How old the price is at the asked time, in ms (≥ 0). */
  readonly ageMs: number;
}

export interface PriceSource {
  /** The latest price known at or before `at`; undefined when there is none. */
  priceAt(asset: string, at: number): PriceQuote | undefined;
}

export interface FundingRate {
  readonly asset: string;
  /** The hour the rate applies to (ms, a multiple of 3,600,000). */
  readonly hour: number;
  /** RATE scale (1e-12) per hour; positive means longs pay shorts. */
  readonly rate: bigint;
}

export interface FundingSource {
  fundingAt(asset: string, hour: number): FundingRate | undefined;
}

/** A final (closed) candle: prices in PRICE scale (1e-8), times in ms. */
export interface CandleBar {
  readonly asset: string;
  readonly intervalMs: number;
  readonly openTime: number;
  readonly open: bigint;
  readonly high: bigint;
  readonly low: bigint;
  readonly close: bigint;
}

/** The 1m minute, in ms: the candles protective orders are checked against. */
export const MINUTE_MS = 60_000;

export interface CandleSource {
  /**
   * Final candles of `intervalMs` of `asset` opened at or after `from` and closed at or before
   * `at` (ms), oldest first, at most `limit`: a candle still open at `at` is not final.
   */
  finalCandles(asset: string, intervalMs: number, from: number, at: number, limit: number): CandleBar[];
}

/** A price for `asset` at `at` no older than `maxAgeMs`; `no_price` or `stale_price` otherwise. */
export function freshPrice(source: PriceSource, asset: string, at: number, maxAgeMs: number): PriceQuote {
  const quote = source.priceAt(asset, at);
  if (!quote) throw new DomainError('no_price', 'unprocessable', `no price for ${asset} at or before ${at}`, { asset, at });
  if (quote.ageMs > maxAgeMs) {
    throw new DomainError('stale_price', 'unprocessable', `the price of ${asset} is ${quote.ageMs} ms old (bound ${maxAgeMs} ms)`, {
      asset,
      at,
      priceTime: quote.time,
      ageMs: quote.ageMs,
      maxAgeMs,
    });
  }
  return quote;
}
