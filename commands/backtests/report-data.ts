/**
 * What a finished backtest's report shows (issue 14, "CLI and a report"; doc/backtesting.md,
 * "The report"): the run, its metrics, the equity curve with the drawdown at every sample, the
 * equal-weight buy-and-hold benchmark curve and the closed trades. One schema for whoever writes
 * it (the replay) and whoever reads it (the HTML report, `clash backtest`). Money is exact:
 * integer micro-USD strings; prices integer strings of 1e-8 USD (`adapters/market/units.ts`,
 * PRICE), as in Prop Trading's events; times Unix ms.
 */
import { z } from 'zod';
import { mulDiv } from '../../core/money.ts';
import type { EquityPoint } from './metrics.ts';
import { zBacktestMetrics } from './metrics.ts';
import { MAX_WINDOW_MS, zAssetSymbol, zBacktestEngine } from './request.ts';

/** The most samples a curve may hold: a 366-day window at the shortest step (1 minute), both ends included. */
export const MAX_REPORT_SAMPLES = MAX_WINDOW_MS / 60_000 + 1;
/** The most closed trades a report carries; the HTML shows fewer (`replay/backtest-report/`). */
export const MAX_REPORT_TRADES = 100_000;

const at = z.number().int().nonnegative();
const micro = z.string().regex(/^-?\d{1,30}$/, 'an integer micro-USD string');
const price = z.string().regex(/^\d{1,30}$/, 'a non-negative integer price string (1e-8 USD)');

export const zReportEquityPoint = z
  .object({
    at,
    equityMicroUsd: micro,
    /** (running peak − equity) ÷ running peak, ≥ 0 (1 at zero equity): the rule of `maxDrawdown` in metrics.ts. */
    drawdown: z.number().finite().min(0),
  })
  .strict();
export type ReportEquityPoint = z.output<typeof zReportEquityPoint>;

export const zReportBenchmarkPoint = z.object({ at, valueMicroUsd: micro }).strict();
export type ReportBenchmarkPoint = z.output<typeof zReportBenchmarkPoint>;

export const zReportTrade = z
  .object({
    asset: zAssetSymbol,
    side: z.enum(['long', 'short']),
    openedAt: at,
    closedAt: at,
    entryPrice: price,
    exitPrice: price,
    /** Net of the trade's fees and funding (the metrics' trade PnL). */
    pnlMicroUsd: micro,
    feesMicroUsd: micro,
    /** Funding of the trade; paid is negative. */
    fundingMicroUsd: micro,
  })
  .strict();
export type ReportTrade = z.output<typeof zReportTrade>;

export const zBacktestReportData = z
  .object({
    backtestId: z.string().min(1).max(200),
    window: z.object({ fromMs: at, toMs: at }).strict(),
    stepMs: z.number().int().positive(),
    assets: z.array(zAssetSymbol).min(1).max(50),
    engine: zBacktestEngine,
    metrics: zBacktestMetrics,
    /** Samples at the step, oldest first. */
    equity: z.array(zReportEquityPoint).min(1).max(MAX_REPORT_SAMPLES),
    /** What the starting equity would be worth held equally in every asset, at the same samples. */
    benchmark: z.array(zReportBenchmarkPoint).max(MAX_REPORT_SAMPLES),
    /** Closed trades in the order they closed. */
    trades: z.array(zReportTrade).max(MAX_REPORT_TRADES),
  })
  .strict();
export type BacktestReportData = z.output<typeof zBacktestReportData>;

/**
 * The equity curve with each sample's drawdown from the running peak, as a fraction of that peak
 * (0 while at a new peak; 0 too while no sample was positive). The largest equals
 * `maxDrawdown(equity)` (doc/backtesting.md, "Metrics").
 */
export function drawdownCurve(equity: readonly Pick<EquityPoint, 'at' | 'equityMicroUsd'>[]): ReportEquityPoint[] {
  let peak = 0;
  return equity.map((p) => {
    const e = Number(p.equityMicroUsd);
    if (e > peak) peak = e;
    return { at: p.at, equityMicroUsd: p.equityMicroUsd.toString(), drawdown: peak > 0 ? (peak - e) / peak : 0 };
  });
}

/** One benchmark sample: the price of every asset (1e-8 USD), in the run's asset order. */
export interface PriceSample {
  readonly at: number;
  readonly prices: readonly bigint[];
}

/**
 * The buy-and-hold benchmark curve (doc/backtesting.md, "Metrics", Benchmark): the starting
 * equity split equally over the assets at the first sample's prices and held. Each asset's value
 * is mulDiv(start, price_t, n × price_0), rounded half-even per asset (micro-USD); assets whose
 * first price is not positive are left out, as in `computeMetrics`. Empty without a sample or
 * without a usable asset.
 */
export function benchmarkCurve(startEquityMicroUsd: bigint, samples: readonly PriceSample[]): ReportBenchmarkPoint[] {
  const first = samples[0]?.prices ?? [];
  const held = first.flatMap((p, i) => (p > 0n ? [i] : []));
  if (held.length === 0) return [];
  const n = BigInt(held.length);
  return samples.map((s) => ({
    at: s.at,
    valueMicroUsd: held
      .reduce((sum, i) => sum + mulDiv(startEquityMicroUsd, s.prices[i] ?? 0n, n * (first[i] as bigint), 'half_even'), 0n)
      .toString(),
  }));
}
