/**
 * Backtest metrics from an equity curve and a trade list, as pure functions (doc/backtesting.md,
 * "Metrics"). Money stays exact (micro-USD bigints, integer decimal strings in events); ratios are
 * floats computed in a fixed order, so the same inputs give byte-identical metrics. Returns are
 * simple per-sample returns at the sampling interval (the replay step); annualisation assumes
 * markets that trade every day: periods per year = 365 × 86,400,000 ms / sampling interval;
 * the risk-free rate is 0.
 */
import { z } from 'zod';
import { divide } from '../../core/money.ts';

/** One sample of the equity curve: time (Unix ms), equity and open notional (micro-USD). */
export interface EquityPoint {
  readonly at: number;
  readonly equityMicroUsd: bigint;
  /** Absolute notional of open positions at `at`; 0 when flat. */
  readonly exposureMicroUsd: bigint;
}

/** A closed trade: its net result (after fees and funding) and what it cost (micro-USD). */
export interface ClosedTrade {
  readonly asset: string;
  readonly openedAt: number;
  readonly closedAt: number;
  readonly pnlMicroUsd: bigint;
  readonly feesMicroUsd: bigint;
  readonly fundingMicroUsd: bigint;
}

export interface MetricsInput {
  /** Samples at the sampling interval, oldest first; at least one. */
  readonly equity: readonly EquityPoint[];
  readonly trades: readonly ClosedTrade[];
  /** Traded notional of every fill (micro-USD), for turnover. */
  readonly tradedNotionalMicroUsd: bigint;
  /** All fees and funding of the run, open positions included (micro-USD; funding paid is negative). */
  readonly feesMicroUsd: bigint;
  readonly fundingMicroUsd: bigint;
  /** The sampling interval (ms): the replay step. */
  readonly samplingIntervalMs: number;
  /** Prices of the same assets at the first and last sample, for buy-and-hold. */
  readonly benchmark: readonly { readonly asset: string; readonly firstPrice: bigint; readonly lastPrice: bigint }[];
}

const ratio = z.number().finite();
const micro = z.string().regex(/^-?\d{1,30}$/);

export const zBacktestMetrics = z
  .object({
    samplingIntervalMs: z.number().int().positive(),
    periodsPerYear: ratio,
    startEquityMicroUsd: micro,
    endEquityMicroUsd: micro,
    pnlMicroUsd: micro,
    totalReturn: ratio,
    maxDrawdown: ratio,
    sharpe: ratio.nullable(),
    sortino: ratio.nullable(),
    calmar: ratio.nullable(),
    trades: z.number().int().nonnegative(),
    winRate: ratio.nullable(),
    profitFactor: ratio.nullable(),
    expectancyMicroUsd: micro.nullable(),
    feesMicroUsd: micro,
    fundingMicroUsd: micro,
    exposure: ratio,
    turnover: ratio,
    benchmarkReturn: ratio.nullable(),
  })
  .strict();
export type BacktestMetrics = z.output<typeof zBacktestMetrics>;

const YEAR_MS = 365 * 86_400_000;

/** Simple returns between consecutive samples: E_i / E_{i-1} − 1 (a sample after zero equity counts −1). */
function periodReturns(equity: readonly EquityPoint[]): number[] {
  return equity.slice(1).map((p, i) => {
    const prev = Number(equity[i]?.equityMicroUsd);
    return prev <= 0 ? -1 : Number(p.equityMicroUsd) / prev - 1;
  });
}

/** The largest fall from a running peak, as a fraction of that peak (0 when equity never falls). */
export function maxDrawdown(equity: readonly EquityPoint[]): number {
  let peak = 0;
  let worst = 0;
  for (const p of equity) {
    const e = Number(p.equityMicroUsd);
    if (e > peak) peak = e;
    if (peak > 0) worst = Math.max(worst, (peak - e) / peak);
  }
  return worst;
}

const mean = (xs: readonly number[]) => xs.reduce((s, x) => s + x, 0) / xs.length;

/** Annualised Sharpe: mean / sample standard deviation (n − 1) × √periodsPerYear; null under two returns or no variation. */
export function sharpe(returns: readonly number[], periodsPerYear: number): number | null {
  if (returns.length < 2) return null;
  const m = mean(returns);
  const sd = Math.sqrt(returns.reduce((s, r) => s + (r - m) ** 2, 0) / (returns.length - 1));
  return sd === 0 ? null : (m / sd) * Math.sqrt(periodsPerYear);
}

/** Annualised Sortino: mean / downside deviation √(Σ min(r, 0)² / n) × √periodsPerYear; null without a losing period. */
export function sortino(returns: readonly number[], periodsPerYear: number): number | null {
  if (returns.length < 2) return null;
  const dd = Math.sqrt(returns.reduce((s, r) => s + Math.min(r, 0) ** 2, 0) / returns.length);
  return dd === 0 ? null : (mean(returns) / dd) * Math.sqrt(periodsPerYear);
}

/**
 * The metrics of a run (doc/backtesting.md, "Metrics"). Calmar is the compound annual return over
 * the max drawdown, null without a drawdown or when annualising a short window overflows.
 * Throws RangeError on an empty curve.
 */
export function computeMetrics(input: MetricsInput): BacktestMetrics {
  const { equity, trades } = input;
  const first = equity[0];
  const last = equity.at(-1);
  if (!first || !last) throw new RangeError('an equity curve needs at least one sample');
  const periodsPerYear = YEAR_MS / input.samplingIntervalMs;
  const start = first.equityMicroUsd;
  const end = last.equityMicroUsd;
  const totalReturn = start > 0n ? Number(end) / Number(start) - 1 : 0;
  const returns = periodReturns(equity);
  const dd = maxDrawdown(equity);
  const years = returns.length / periodsPerYear;
  const annualReturn = years > 0 && totalReturn > -1 ? (1 + totalReturn) ** (1 / years) - 1 : null;
  const wins = trades.filter((t) => t.pnlMicroUsd > 0n);
  const gains = wins.reduce((s, t) => s + t.pnlMicroUsd, 0n);
  const losses = trades.reduce((s, t) => (t.pnlMicroUsd < 0n ? s - t.pnlMicroUsd : s), 0n);
  const net = trades.reduce((s, t) => s + t.pnlMicroUsd, 0n);
  const exposedSamples = equity.filter((p) => p.exposureMicroUsd > 0n).length;
  const meanEquity = equity.reduce((s, p) => s + Number(p.equityMicroUsd), 0) / equity.length;
  const benchmark = input.benchmark.filter((b) => b.firstPrice > 0n);
  return {
    samplingIntervalMs: input.samplingIntervalMs,
    periodsPerYear,
    startEquityMicroUsd: start.toString(),
    endEquityMicroUsd: end.toString(),
    pnlMicroUsd: (end - start).toString(),
    totalReturn,
    maxDrawdown: dd,
    sharpe: sharpe(returns, periodsPerYear),
    sortino: sortino(returns, periodsPerYear),
    calmar: annualReturn === null || dd === 0 || !Number.isFinite(annualReturn) ? null : annualReturn / dd,
    trades: trades.length,
    winRate: trades.length === 0 ? null : wins.length / trades.length,
    profitFactor: losses === 0n ? null : Number(gains) / Number(losses),
    expectancyMicroUsd: trades.length === 0 ? null : divide(net, BigInt(trades.length), 'half_even').toString(),
    feesMicroUsd: input.feesMicroUsd.toString(),
    fundingMicroUsd: input.fundingMicroUsd.toString(),
    exposure: exposedSamples / equity.length,
    turnover: meanEquity > 0 ? Number(input.tradedNotionalMicroUsd) / meanEquity : 0,
    benchmarkReturn: benchmark.length === 0 ? null : mean(benchmark.map((b) => Number(b.lastPrice) / Number(b.firstPrice) - 1)),
  };
}
