/**
 * The preflight estimate of a backtest and the verdict of every limit on it (doc/backtesting.md,
 * "Estimate"). Pure: the caller passes the runs already accepted today.
 */
import { z } from 'zod';
import { divide } from '../../core/money.ts';
import { type BacktestLimits, type EstimateModel, type LimitName, limitNames, zEstimateModel, zLimitName } from './limits.ts';
import type { BacktestEngine } from './request.ts';

/** The shape an estimate reads: the window and cadences in ms, the assets and the engine. */
export interface EstimateInput {
  readonly fromMs: number;
  readonly toMs: number;
  /** The simulated clock's step (ms). */
  readonly stepMs: number;
  /** How often the engine decides (ms, a multiple of `stepMs`). */
  readonly decisionIntervalMs: number;
  readonly assets: readonly string[];
  readonly engine: BacktestEngine;
}

export const zVerdict = z
  .object({
    limit: zLimitName,
    /** The limit's value. */
    allowed: z.number().int().nonnegative(),
    /** What this run would use (for `daily_runs`: the runs accepted today including this one). */
    requested: z.number().int().nonnegative(),
    ok: z.boolean(),
  })
  .strict();
export type Verdict = z.output<typeof zVerdict>;

export const zEstimate = z
  .object({
    replaySteps: z.number().int().nonnegative(),
    decisionTicks: z.number().int().nonnegative(),
    activeAssets: z.number().int().nonnegative(),
    decisionCalls: z.number().int().nonnegative(),
    estimatedTokens: z.number().int().nonnegative(),
    /** Provider cost, micro-USD as an integer decimal string, rounded up. */
    estimatedCostMicroUsd: z.string().regex(/^\d{1,30}$/),
    model: zEstimateModel,
    verdicts: z.array(zVerdict).length(limitNames.length),
  })
  .strict();
export type Estimate = z.output<typeof zEstimate>;

/** Engines that call a model provider and so spend tokens. */
const providerEngines: readonly BacktestEngine[] = ['anthropic'];

/**
 * The estimate: replay steps = ⌈window / step⌉; decision ticks = ⌈window / decision interval⌉;
 * one decision call per tick seeing every asset (none for the `none` engine); tokens =
 * calls × (tokensPerCall + tokensPerAsset × assets) for provider engines, else 0; cost =
 * ⌈tokens × microUsdPerMillionTokens / 10^6⌉ micro-USD. `acceptedToday` counts the user's
 * accepted runs on this clone this UTC day before this one.
 */
export function estimate(input: EstimateInput, limits: BacktestLimits, model: EstimateModel, acceptedToday: number): Estimate {
  const window = input.toMs - input.fromMs;
  const replaySteps = Math.ceil(window / input.stepMs);
  const decisionTicks = Math.ceil(window / input.decisionIntervalMs);
  const activeAssets = input.assets.length;
  const decisionCalls = input.engine === 'none' ? 0 : decisionTicks;
  const estimatedTokens = providerEngines.includes(input.engine)
    ? decisionCalls * (model.tokensPerCall + model.tokensPerAsset * activeAssets)
    : 0;
  const cost = divide(BigInt(estimatedTokens) * BigInt(model.microUsdPerMillionTokens), 1_000_000n, 'ceil');
  const used: Record<LimitName, [number, number]> = {
    daily_runs: [limits.dailyRuns, acceptedToday + 1],
    replay_steps: [limits.replaySteps, replaySteps],
    active_assets: [limits.activeAssets, activeAssets],
    decision_calls: [limits.decisionCallsPerRun, decisionCalls],
    estimated_tokens: [limits.estimatedTokensPerRun, estimatedTokens],
  };
  const verdicts = limitNames.map((limit) => {
    const [allowed, requested] = used[limit];
    return { limit, allowed, requested, ok: requested <= allowed };
  });
  return {
    replaySteps,
    decisionTicks,
    activeAssets,
    decisionCalls,
    estimatedTokens,
    estimatedCostMicroUsd: cost.toString(),
    model,
    verdicts,
  };
}

/** The first limit the estimate breaks, in the order of `limitNames`, or null. */
export const brokenLimit = (e: Estimate): LimitName | null => e.verdicts.find((v) => !v.ok)?.limit ?? null;
