/**
 * Backtesting cost controls as data (`001_…`, "Backtesting Cost Controls"): the guardrail
 * defaults per entitlement tier, the replay step cap of the current `last_6h` / 5-minute replay
 * shape, and the estimate model the preflight uses. Every value is configurable (`withOverrides`)
 * and every request freezes the values it was judged by into its event.
 */
import { z } from 'zod';
import { type TierName, tiers } from '../entitlements/tiers.ts';

/** The limits a request is judged by; counts are per run except `dailyRuns` (per user + clone + UTC day). */
export const zBacktestLimits = z
  .object({
    dailyRuns: z.number().int().nonnegative().max(100_000),
    decisionCallsPerRun: z.number().int().nonnegative().max(10_000_000),
    activeAssets: z.number().int().nonnegative().max(1_000),
    estimatedTokensPerRun: z.number().int().nonnegative().max(1_000_000_000_000),
    /** Replay steps per run: the `last_6h` window at 5-minute steps is 72. */
    replaySteps: z.number().int().positive().max(100_000_000),
  })
  .strict();
export type BacktestLimits = z.output<typeof zBacktestLimits>;

/** The names a refusal or a verdict uses for each limit. */
export const limitNames = ['daily_runs', 'replay_steps', 'active_assets', 'decision_calls', 'estimated_tokens'] as const;
export const zLimitName = z.enum(limitNames);
export type LimitName = z.output<typeof zLimitName>;

/** The replay shape the step cap is derived from: six hours at five-minute steps (`001_…`). */
export const REPLAY_SHAPE = { windowMs: 6 * 60 * 60_000, stepMs: 5 * 60_000 } as const;
export const DEFAULT_REPLAY_STEP_CAP = REPLAY_SHAPE.windowMs / REPLAY_SHAPE.stepMs;

/** Defaults: the tier table of `commands/entitlements/tiers.ts` (the `001_…` table) and the 72-step cap. */
export const defaultBacktestLimits: Readonly<Record<TierName, BacktestLimits>> = {
  starter: fromTier('starter'),
  builder: fromTier('builder'),
  pro: fromTier('pro'),
};

function fromTier(tier: TierName): BacktestLimits {
  const t = tiers[tier];
  return {
    dailyRuns: t.dailyBacktestRuns,
    decisionCallsPerRun: t.decisionCallsPerRun,
    activeAssets: t.activeAssets,
    estimatedTokensPerRun: t.estimatedTokensPerRun,
    replaySteps: DEFAULT_REPLAY_STEP_CAP,
  };
}

/**
 * The estimate model (doc/backtesting.md, "Estimate"): one decision call per decision tick sees
 * every active asset; it costs `tokensPerCall + tokensPerAsset × assets` tokens, priced at
 * `microUsdPerMillionTokens` for the `anthropic` engine (the other engines call no provider).
 * The defaults make a Starter run of 24 calls over 3 assets exactly 120,000 tokens.
 */
export const zEstimateModel = z
  .object({
    tokensPerCall: z.number().int().nonnegative().max(10_000_000),
    tokensPerAsset: z.number().int().nonnegative().max(10_000_000),
    /** Provider price in micro-USD per million tokens (blended prompt and reply). */
    microUsdPerMillionTokens: z.number().int().nonnegative().max(1_000_000_000_000),
  })
  .strict();
export type EstimateModel = z.output<typeof zEstimateModel>;

export const defaultEstimateModel: EstimateModel = { tokensPerCall: 2_000, tokensPerAsset: 1_000, microUsdPerMillionTokens: 6_000_000 };

/** Everything a deployment may change: per-tier limit overrides and the estimate model. */
export const zBacktestPolicy = z
  .object({
    limits: z.object({ starter: zBacktestLimits, builder: zBacktestLimits, pro: zBacktestLimits }).strict(),
    estimate: zEstimateModel,
  })
  .strict();
export type BacktestPolicy = z.output<typeof zBacktestPolicy>;

export const defaultBacktestPolicy: BacktestPolicy = { limits: { ...defaultBacktestLimits }, estimate: defaultEstimateModel };

/** The policy with some values replaced (a configuration layer); the result is validated. */
export function withOverrides(
  policy: BacktestPolicy,
  overrides: { readonly limits?: Partial<Record<TierName, Partial<BacktestLimits>>>; readonly estimate?: Partial<EstimateModel> },
): BacktestPolicy {
  const tier = (name: TierName) => ({ ...policy.limits[name], ...overrides.limits?.[name] });
  return zBacktestPolicy.parse({
    limits: { starter: tier('starter'), builder: tier('builder'), pro: tier('pro') },
    estimate: { ...policy.estimate, ...overrides.estimate },
  });
}
