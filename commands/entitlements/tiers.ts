/**
 * Entitlement tiers as data: what each tier allows one clone. The figures are the Backtesting
 * guardrail defaults of the product roadmap plus a model strength; changing a tier is a change
 * of this table, and every grant copies the limits it applied into its event.
 */
import { z } from 'zod';

/** Model strengths, weakest first: a clone's model tier must not be above its entitlement's. */
export const modelStrengths = ['basic', 'standard', 'advanced'] as const;
export const zModelStrength = z.enum(modelStrengths);
export type ModelStrength = z.output<typeof zModelStrength>;

export const strengthRank = (s: ModelStrength) => modelStrengths.indexOf(s);

export const zTierName = z.enum(['starter', 'builder', 'pro']);
export type TierName = z.output<typeof zTierName>;

export const zTierLimits = z
  .object({
    dailyBacktestRuns: z.number().int().nonnegative(),
    decisionCallsPerRun: z.number().int().nonnegative(),
    activeAssets: z.number().int().nonnegative(),
    estimatedTokensPerRun: z.number().int().nonnegative(),
    modelStrength: zModelStrength,
  })
  .strict();
export type TierLimits = z.output<typeof zTierLimits>;

export const tiers: Readonly<Record<TierName, TierLimits>> = {
  starter: { dailyBacktestRuns: 3, decisionCallsPerRun: 24, activeAssets: 3, estimatedTokensPerRun: 120_000, modelStrength: 'basic' },
  builder: { dailyBacktestRuns: 10, decisionCallsPerRun: 100, activeAssets: 6, estimatedTokensPerRun: 500_000, modelStrength: 'standard' },
  pro: { dailyBacktestRuns: 25, decisionCallsPerRun: 200, activeAssets: 10, estimatedTokensPerRun: 1_000_000, modelStrength: 'advanced' },
};

/** What a clone without an active entitlement is held to when its draft is saved (publishing needs a grant). */
export const baselineTier: TierName = 'starter';
