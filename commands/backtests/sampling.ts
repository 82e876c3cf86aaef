/**
 * How a backtest samples an account (doc/backtesting.md, "Replay" step 4 and "Metrics"): quotes
 * and marks at T from market memory (the latest price at or before T), the equal-weight
 * buy-and-hold benchmark, and the metrics of a sampled curve. Shared by the replay of a strategy
 * and by the valuation of a live account over the same samples (`live-window.ts`), so both
 * curves are measured by one rule. Pure over the `PriceSource` port.
 */
import type { PriceSource } from '../../adapters/market/price-source.ts';
import { mulDiv } from '../../core/money.ts';
import type { Quotes } from '../prop-trading/commands.ts';
import type { PropAccountState } from '../prop-trading/state.ts';
import { type BacktestMetrics, type ClosedTrade, computeMetrics, type EquityPoint } from './metrics.ts';
import type { RunShape } from './request.ts';

/** The latest quote at or before `at` (PRICE, ms) of each of `assets` that has one. */
export function quotesAt(market: PriceSource, assets: Iterable<string>, at: number): Quotes {
  const quotes: Record<string, { price: bigint; time: number }> = {};
  for (const asset of new Set(assets)) {
    const q = market.priceAt(asset, at);
    if (q) quotes[asset] = { price: q.price, time: q.time };
  }
  return quotes;
}

/** The held assets of `state`, sorted. */
export const heldAssets = (state: PropAccountState): string[] => Object.keys(state.positions).sort();

/** Marks (PRICE) of every held asset at `at`: the quote, else the last recorded mark, else the entry price. */
export function marksAt(state: PropAccountState, market: PriceSource, at: number): Record<string, bigint> {
  const held = heldAssets(state);
  const quotes = quotesAt(market, held, at);
  return Object.fromEntries(held.map((a) => [a, quotes[a]?.price ?? state.lastMarks[a] ?? state.positions[a]?.entryPrice ?? 0n]));
}

/** The buy-and-hold benchmark of `assets` from `fromMs`: each asset's first price (null without one). */
export function firstPrices(market: PriceSource, assets: readonly string[], fromMs: number): (bigint | null)[] {
  return assets.map((asset) => market.priceAt(asset, fromMs)?.price ?? null);
}

/**
 * The benchmark's value at `at` (micro-USD): `startingEquity` split equally across the assets
 * with a first price, each held from it: Σ floor(E₀ × p(t) ÷ (n × p₀)); E₀ without any price.
 */
export function benchmarkAt(
  market: PriceSource,
  assets: readonly string[],
  first: readonly (bigint | null)[],
  startingEquity: bigint,
  at: number,
): bigint {
  const n = BigInt(first.filter((p) => p !== null).length);
  if (n === 0n) return startingEquity;
  let value = 0n;
  assets.forEach((asset, k) => {
    const p0 = first[k];
    if (p0 === null || p0 === undefined || p0 === 0n) return;
    const p = market.priceAt(asset, at)?.price ?? p0;
    value += mulDiv(startingEquity, p, n * p0, 'floor');
  });
  return value;
}

/** The metrics of a sampled account over `run`'s window: its curve, closed trades, traded notional and the totals of `state`. */
export function metricsOf(input: {
  readonly run: Pick<RunShape, 'assets' | 'stepMs' | 'toMs'>;
  readonly market: PriceSource;
  readonly equity: readonly EquityPoint[];
  readonly closed: readonly ClosedTrade[];
  readonly tradedNotionalMicroUsd: bigint;
  readonly state: PropAccountState;
  readonly first: readonly (bigint | null)[];
}): BacktestMetrics {
  const { run, market, first } = input;
  return computeMetrics({
    equity: input.equity,
    trades: input.closed,
    tradedNotionalMicroUsd: input.tradedNotionalMicroUsd,
    feesMicroUsd: input.state.fees,
    fundingMicroUsd: input.state.funding,
    samplingIntervalMs: run.stepMs,
    benchmark: run.assets.flatMap((asset, k) => {
      const p0 = first[k];
      const last = market.priceAt(asset, run.toMs)?.price;
      return p0 === null || p0 === undefined || last === undefined ? [] : [{ asset, firstPrice: p0, lastPrice: last }];
    }),
  });
}
