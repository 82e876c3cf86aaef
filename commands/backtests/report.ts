/**
 * The report data of a finished backtest (issue 14, "CLI and a report"): what `clash backtest
 * run` returns and prints with `--json`, what the HTML report renders, and the durable `summary`
 * artifact of the run. Follows the API convention: times ISO 8601 UTC with milliseconds, money
 * as integer micro-USD strings (`…MicroUsd`), prices as decimal USD strings, ratios as numbers.
 */
import { z } from 'zod';
import { zTradingAction } from '../ai-trading/action.ts';
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

/** The most divergences a report lists (the rest are counted in `divergencesOmitted`). */
export const MAX_DIVERGENCES = 200;

/** What a decision run came to (`RunOutcome` of `ports.ts`): parse, verdict, refusals with their figures, the action and its order. */
export const zRunOutcome = z
  .object({
    parse: z.enum(['valid', 'extracted', 'refused']),
    verdict: z.enum(['accepted', 'refused']),
    stage: z.enum(['parse', 'validation']).nullable(),
    refusals: z.array(z.object({ code: z.string().min(1).max(100), detail: z.string().max(300) }).strict()).max(20),
    action: zTradingAction.nullable(),
    order: z
      .object({ status: z.enum(['executed', 'refused']), code: z.string().max(100).nullable() })
      .strict()
      .nullable(),
  })
  .strict();

/**
 * A live window re-run (doc/backtesting.md, "Re-running a live window"): how many live runs were
 * re-run, how many gave the same decision and the same order, every run that did not (live and
 * re-run outcomes side by side), the live account's metrics over the same samples and whether
 * they equal the re-run's byte for byte.
 */
export const zLiveRerun = z
  .object({
    propAccountId: z.string().min(1).max(200),
    runs: z.number().int().nonnegative(),
    decisionsReproduced: z.number().int().nonnegative(),
    ordersReproduced: z.number().int().nonnegative(),
    divergences: z
      .array(
        z
          .object({
            runId: z.string().min(1).max(200),
            asset: zAssetSymbol,
            at: iso,
            decisionReproduced: z.boolean(),
            orderReproduced: z.boolean(),
            live: zRunOutcome,
            rerun: zRunOutcome,
          })
          .strict(),
      )
      .max(MAX_DIVERGENCES),
    divergencesOmitted: z.number().int().nonnegative(),
    liveMetrics: zBacktestMetrics,
    metricsReproduced: z.boolean(),
  })
  .strict();
export type LiveRerun = z.output<typeof zLiveRerun>;
/** What a live run decided, or what its re-run decides: compared run by run (`live-window.ts`). */
export type RunOutcome = z.output<typeof zRunOutcome>;

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
    /** Only for a live window re-run: the comparison with the live runs and the live account. */
    liveWindow: zLiveRerun.optional(),
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
