/**
 * The backtesting policy from the environment (doc/backtesting.md, "Limits" and "Estimate"):
 * every tier's limits and the estimate model, validated at start-up like the rest of the
 * configuration. Defaults are `defaultBacktestPolicy` (the `001_…` tier table and the 72-step
 * cap of the `last_6h` / 5-minute shape). Each request freezes the values it was judged by.
 */
import { z } from 'zod';
import { type BacktestPolicy, defaultBacktestPolicy } from '../commands/backtests/limits.ts';
import type { TierName } from '../commands/entitlements/tiers.ts';

const count = (max: number, fallback: number, min = 0) => z.coerce.number().int().min(min).max(max).default(fallback);
const tier = <T extends string>(name: T, t: TierName) => {
  const l = defaultBacktestPolicy.limits[t];
  return {
    [`BACKTEST_${name}_DAILY_RUNS`]: count(100_000, l.dailyRuns),
    [`BACKTEST_${name}_DECISION_CALLS`]: count(10_000_000, l.decisionCallsPerRun),
    [`BACKTEST_${name}_ACTIVE_ASSETS`]: count(1_000, l.activeAssets),
    [`BACKTEST_${name}_ESTIMATED_TOKENS`]: count(1_000_000_000_000, l.estimatedTokensPerRun),
    [`BACKTEST_${name}_REPLAY_STEPS`]: count(100_000_000, l.replaySteps, 1),
  } as Record<
    `BACKTEST_${T}_${'DAILY_RUNS' | 'DECISION_CALLS' | 'ACTIVE_ASSETS' | 'ESTIMATED_TOKENS' | 'REPLAY_STEPS'}`,
    ReturnType<typeof count>
  >;
};
const e = defaultBacktestPolicy.estimate;

/** The backtesting variables of the server configuration (spread into `configSchema`). */
export const backtestConfigShape = {
  ...tier('STARTER', 'starter'),
  ...tier('BUILDER', 'builder'),
  ...tier('PRO', 'pro'),
  /** Tokens of one decision call before its assets. */
  BACKTEST_TOKENS_PER_CALL: count(10_000_000, e.tokensPerCall),
  /** Tokens each active asset adds to a decision call. */
  BACKTEST_TOKENS_PER_ASSET: count(10_000_000, e.tokensPerAsset),
  /** Provider price, micro-USD per million tokens. */
  BACKTEST_MICRO_USD_PER_MILLION_TOKENS: count(1_000_000_000_000, e.microUsdPerMillionTokens),
  /** How often the backtest worker looks for jobs and expired artifacts, ms; 0 turns it off. */
  BACKTEST_WORKER_INTERVAL_MS: count(3_600_000, 5_000),
  /** Backtests running at once across every worker process. */
  BACKTEST_CONCURRENCY: count(1_000, 2, 1),
  /** Backtests of one user running at once. */
  BACKTEST_CONCURRENCY_PER_USER: count(1_000, 1, 1),
  /** A job's lease (and its concurrency slots), renewed by every progress event, seconds. */
  BACKTEST_LEASE_SECONDS: count(86_400, 60, 5),
  /** Replay steps between progress events. */
  BACKTEST_PROGRESS_EVERY_STEPS: count(1_000_000, 100, 1),
  /** Packets, prompts and replies of a finished run are deleted this long after it finished, hours. */
  BACKTEST_ARTIFACT_RETENTION_HOURS: count(87_600, 168, 0),
};

export type BacktestConfig = {
  readonly [K in keyof typeof backtestConfigShape]: z.output<(typeof backtestConfigShape)[K]>;
};

/** The policy the configuration names. */
export function backtestPolicy(c: BacktestConfig): BacktestPolicy {
  const limits = (n: 'STARTER' | 'BUILDER' | 'PRO') => ({
    dailyRuns: c[`BACKTEST_${n}_DAILY_RUNS`],
    decisionCallsPerRun: c[`BACKTEST_${n}_DECISION_CALLS`],
    activeAssets: c[`BACKTEST_${n}_ACTIVE_ASSETS`],
    estimatedTokensPerRun: c[`BACKTEST_${n}_ESTIMATED_TOKENS`],
    replaySteps: c[`BACKTEST_${n}_REPLAY_STEPS`],
  });
  return {
    limits: { starter: limits('STARTER'), builder: limits('BUILDER'), pro: limits('PRO') },
    estimate: {
      tokensPerCall: c.BACKTEST_TOKENS_PER_CALL,
      tokensPerAsset: c.BACKTEST_TOKENS_PER_ASSET,
      microUsdPerMillionTokens: c.BACKTEST_MICRO_USD_PER_MILLION_TOKENS,
    },
  };
}
