/**
 * Backtest fixtures: a light trend strategy over BTC and ETH (1m candles and indicators of the
 * last hours, no outside sources) and a replay job over the recorded market of
 * `replay/bench/decision-data.ts` (real Bybit 1m candles stored under the Hyperliquid names).
 */
import { MemoryArtifactStore } from '../../adapters/artifacts/memory.ts';
import type { DecisionEngine } from '../../adapters/models/engine.ts';
import type { ReplayJob, ReplayResult } from '../../commands/backtests/replay.ts';
import { replay } from '../../commands/backtests/replay.ts';
import type { RunShape } from '../../commands/backtests/request.ts';
import { rulesEngine } from '../../commands/decisions/engines/rules.ts';
import { tiers } from '../../commands/entitlements/tiers.ts';
import { DEFAULT_RULES, DEFAULT_STARTING_EQUITY } from '../../commands/prop-trading/rules.ts';
import type { Db } from '../../core/database.ts';
import { trendGraph } from '../../replay/bench/backtest-data.ts';
import { marketAsOf } from '../../server/ai-trading.ts';
import { replayContextOf, replayMarketOf } from '../../server/backtest-replay.ts';

export { trendGraph } from '../../replay/bench/backtest-data.ts';

/** A job over `[fromMs, toMs]` at 5-minute steps and 15-minute decisions. */
export function replayJob(fromMs: number, toMs: number, overrides: Partial<RunShape> = {}): ReplayJob {
  return {
    backtestId: 'bt1',
    cloneId: 'clone-1',
    strategyVersionId: 'v1',
    propAccountId: 'backtest-bt1',
    run: {
      strategy: { kind: 'version', versionId: 'v1' },
      fromMs,
      toMs,
      assets: ['BTC', 'ETH'],
      engine: 'rules',
      stepMs: 300_000,
      decisionIntervalMs: 900_000,
      ...overrides,
    },
    startingEquityMicroUsd: DEFAULT_STARTING_EQUITY,
    rules: DEFAULT_RULES,
  };
}

/** Runs `job` over `db`'s market memory with `engine` (rules by default) into `artifacts`. */
export function replayOver(
  db: Db,
  job: ReplayJob,
  options: { engine?: DecisionEngine; artifacts?: MemoryArtifactStore } = {},
): Promise<ReplayResult> {
  const market = marketAsOf(db);
  const prices = replayMarketOf(db);
  const strategy = {
    cloneId: job.cloneId,
    strategyVersionId: job.strategyVersionId,
    graph: trendGraph,
    layout: {},
    modelTier: 'basic' as const,
    limits: tiers.pro,
    universe: { taxonomyVersion: 0, assets: [] },
  };
  return replay(job, {
    market: prices,
    context: replayContextOf(strategy, market, prices),
    engine: options.engine ?? rulesEngine,
    artifacts: options.artifacts ?? new MemoryArtifactStore(),
  });
}
