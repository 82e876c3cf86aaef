/** Shared fixtures of the backtest tests: a run shape, a request command and its events. */
import type { BacktestCommand } from '../../../commands/backtests/decider.ts';
import type { BacktestLimits } from '../../../commands/backtests/limits.ts';
import { defaultBacktestLimits, defaultEstimateModel } from '../../../commands/backtests/limits.ts';
import type { EquityPoint, MetricsInput } from '../../../commands/backtests/metrics.ts';
import type { RunShape } from '../../../commands/backtests/request.ts';
import type { TierName } from '../../../commands/entitlements/tiers.ts';

export const T0 = Date.UTC(2026, 0, 5);
export const HOUR = 3_600_000;
export const MINUTE = 60_000;

/** The `last_6h` / 5-minute shape with 15-minute decisions over `assets`. */
export function runShape(overrides: Partial<RunShape> = {}): RunShape {
  return {
    strategy: { kind: 'version', versionId: 'v1' },
    fromMs: T0 - 6 * HOUR,
    toMs: T0,
    assets: ['BTC'],
    engine: 'rules',
    stepMs: 5 * MINUTE,
    decisionIntervalMs: 15 * MINUTE,
    ...overrides,
  };
}

export function requestCommand(
  o: { run?: RunShape; tier?: TierName; limits?: BacktestLimits; acceptedToday?: number; at?: number } = {},
): Extract<BacktestCommand, { type: 'RequestBacktest' }> {
  const tier = o.tier ?? 'starter';
  return {
    type: 'RequestBacktest',
    backtestId: 'b1',
    cloneId: 'c1',
    userId: 'u1',
    run: o.run ?? runShape(),
    tier,
    limits: o.limits ?? defaultBacktestLimits[tier],
    model: defaultEstimateModel,
    acceptedToday: o.acceptedToday ?? 0,
    usageDay: '2026-01-05',
    propAccountId: 'backtest-b1',
    at: o.at ?? T0 + 1,
  };
}

/** Metrics input of a run that only has an equity curve: no trades, costs or benchmark; 5-minute samples unless told. */
export const curveOnly = (equity: readonly EquityPoint[], samplingIntervalMs = 5 * MINUTE): MetricsInput => ({
  equity,
  trades: [],
  tradedNotionalMicroUsd: 0n,
  feesMicroUsd: 0n,
  fundingMicroUsd: 0n,
  samplingIntervalMs,
  benchmark: [],
});
