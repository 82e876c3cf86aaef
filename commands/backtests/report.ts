/**
 * The report data of a finished backtest (issue 14, "CLI and a report"): what `clash backtest
 * run` returns and prints with `--json`, what the HTML report renders, and the durable `summary`
 * artifact of the run. Follows the API convention: times ISO 8601 UTC with milliseconds, money
 * as integer micro-USD strings (`…MicroUsd`), prices as decimal USD strings, ratios as numbers.
 */
import { z } from 'zod';
import { zBacktestMetrics } from './metrics.ts';
import { zAssetSymbol, zBacktestEngine } from './request.ts';

const iso = z.iso.datetime({ precision: 3 });
const micro = z.string().regex(/^-?\d{1,30}$/);
const price = z.string().regex(/^\d{1,20}(\.\d{1,8})?$/);
/** The most samples a report carries (a 366-day window at 1-minute steps). */
const MAX_SAMPLES = 527_041;

/** One sample of the equity curve at the replay step: equity (micro-USD) and the fall from its running peak (0 … 1). */
export const zReportEquityPoint = z.object({ at: iso, equityMicroUsd: micro, drawdown: z.number().min(0).max(1) }).strict();

/** Buy-and-hold of the same assets, equal weights, from the starting equity: its value at each sample (micro-USD, floored). */
export const zReportBenchmarkPoint = z.object({ at: iso, valueMicroUsd: micro }).strict();

/**
 * A closed trade: from the fill that opened a position to the fill (or liquidation, or the run's
 * end) that made it flat. `entryPrice` is the position's average entry, `exitPrice` the price of
 * the fill that closed it; `pnlMicroUsd` is net of its fees and funding; `feesMicroUsd` its fees.
 */
export const zReportTrade = z
  .object({
    asset: zAssetSymbol,
    side: z.enum(['long', 'short']),
    openedAt: iso,
    closedAt: iso,
    entryPrice: price,
    exitPrice: price,
    pnlMicroUsd: micro,
    feesMicroUsd: micro,
  })
  .strict();

export const zBacktestReport = z
  .object({
    backtestId: z.string().min(1).max(200),
    window: z.object({ from: iso, to: iso }).strict(),
    /** The replay step as a duration (`5m`, `1h`) and in ms. */
    step: z.string().regex(/^\d{1,4}[mh]$/),
    stepMs: z.number().int().positive(),
    assets: z.array(zAssetSymbol).min(1).max(50),
    engine: zBacktestEngine,
    metrics: zBacktestMetrics,
    equity: z.array(zReportEquityPoint).min(1).max(MAX_SAMPLES),
    benchmark: z.array(zReportBenchmarkPoint).max(MAX_SAMPLES),
    trades: z.array(zReportTrade).max(MAX_SAMPLES),
  })
  .strict();
export type BacktestReport = z.output<typeof zBacktestReport>;
export type ReportTrade = z.output<typeof zReportTrade>;

/** `5m`, `1h` for a step in whole minutes (hours when it divides evenly). */
export function stepLabel(stepMs: number): string {
  const minutes = Math.round(stepMs / 60_000);
  return minutes % 60 === 0 ? `${minutes / 60}h` : `${minutes}m`;
}

/** Parses `5m`, `15m`, `1h` into ms; throws RangeError naming the text otherwise. */
export function parseStep(text: string): number {
  const m = /^(\d{1,4})([mh])$/.exec(text);
  if (!m) throw new RangeError(`a step is minutes or hours such as 5m or 1h, not ${JSON.stringify(text)}`);
  return Number(m[1]) * (m[2] === 'h' ? 3_600_000 : 60_000);
}
