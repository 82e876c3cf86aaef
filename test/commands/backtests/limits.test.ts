/**
 * Cost controls per tier (`001_…`, "Backtesting Cost Controls"): every limit refuses a run that
 * breaks it, for every tier, naming the limit; the verdicts list all limits; values are
 * configurable and frozen into the request.
 */
import fc from 'fast-check';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { backtestDecider } from '../../../commands/backtests/decider.ts';
import { estimate } from '../../../commands/backtests/estimate.ts';
import {
  type BacktestLimits,
  DEFAULT_REPLAY_STEP_CAP,
  defaultBacktestLimits,
  defaultBacktestPolicy,
  defaultEstimateModel,
  type LimitName,
  withOverrides,
} from '../../../commands/backtests/limits.ts';
import type { RunShape } from '../../../commands/backtests/request.ts';
import type { TierName } from '../../../commands/entitlements/tiers.ts';
import { fcRuns, fcSeed } from '../../support/store.ts';
import { HOUR, MINUTE, requestCommand, runShape, T0 } from './fixtures.ts';

const tierNames: TierName[] = ['starter', 'builder', 'pro'];
const table: Record<TierName, [number, number, number, number]> = {
  starter: [3, 24, 3, 120_000],
  builder: [10, 100, 6, 500_000],
  pro: [25, 200, 10, 1_000_000],
};
const symbols = (n: number) => Array.from({ length: n }, (_, i) => `A${i}`);

function decided(tier: TierName, run: RunShape, limits: BacktestLimits, acceptedToday = 0) {
  return backtestDecider.decide(requestCommand({ tier, run, limits, acceptedToday }), backtestDecider.initialState());
}

function assertRefused(events: ReturnType<typeof decided>, limit: LimitName, allowed: number, requested: number) {
  const refused = events[1];
  assert.is(refused?.type, 'BacktestRefused');
  if (refused?.type === 'BacktestRefused') assert.equal(refused.data, { backtestId: 'b1', limit, allowed, requested, refusedAt: T0 + 1 });
}

test('the defaults are the 001 tier table and the last_6h / 5-minute step cap', () => {
  assert.is(DEFAULT_REPLAY_STEP_CAP, 72);
  for (const tier of tierNames) {
    const l = defaultBacktestLimits[tier];
    assert.equal([l.dailyRuns, l.decisionCallsPerRun, l.activeAssets, l.estimatedTokensPerRun], table[tier], tier);
    assert.is(l.replaySteps, 72);
  }
});

for (const tier of tierNames) {
  const limits = defaultBacktestLimits[tier];
  // a generous step cap lets the call and token limits be reached at 5-minute decisions
  const wide = { ...limits, replaySteps: 10_000 };

  test(`${tier}: the daily quota accepts run ${limits.dailyRuns} and refuses the next`, () => {
    assert.is(decided(tier, runShape(), limits, limits.dailyRuns - 1)[1]?.type, 'BacktestAccepted');
    assertRefused(decided(tier, runShape(), limits, limits.dailyRuns), 'daily_runs', limits.dailyRuns, limits.dailyRuns + 1);
  });

  test(`${tier}: the replay step cap refuses a window one step past six hours at 5 minutes`, () => {
    assertRefused(decided(tier, runShape({ fromMs: T0 - 6 * HOUR - 5 * MINUTE }), limits), 'replay_steps', 72, 73);
  });

  test(`${tier}: ${limits.activeAssets} assets are accepted, one more refused`, () => {
    assert.is(decided(tier, runShape({ assets: symbols(limits.activeAssets) }), limits)[1]?.type, 'BacktestAccepted');
    assertRefused(
      decided(tier, runShape({ assets: symbols(limits.activeAssets + 1) }), limits),
      'active_assets',
      limits.activeAssets,
      limits.activeAssets + 1,
    );
  });

  test(`${tier}: ${limits.decisionCallsPerRun} decision calls are accepted, one more refused`, () => {
    const calls = (n: number) => runShape({ fromMs: T0 - n * 5 * MINUTE, decisionIntervalMs: 5 * MINUTE });
    assert.is(decided(tier, calls(limits.decisionCallsPerRun), wide)[1]?.type, 'BacktestAccepted');
    assertRefused(
      decided(tier, calls(limits.decisionCallsPerRun + 1), wide),
      'decision_calls',
      limits.decisionCallsPerRun,
      limits.decisionCallsPerRun + 1,
    );
  });

  test(`${tier}: the token estimate refuses a provider run past ${limits.estimatedTokensPerRun}`, () => {
    const perCall = (a: number) => defaultEstimateModel.tokensPerCall + defaultEstimateModel.tokensPerAsset * a;
    const assets = Math.min(limits.activeAssets, 3);
    // the most calls within the token budget, then one more (both within the call limit)
    const within = Math.floor(limits.estimatedTokensPerRun / perCall(assets));
    const run = (n: number) =>
      runShape({ engine: 'anthropic', assets: symbols(assets), fromMs: T0 - n * 5 * MINUTE, decisionIntervalMs: 5 * MINUTE });
    const roomy = { ...wide, decisionCallsPerRun: within + 1 };
    assert.is(decided(tier, run(within), roomy)[1]?.type, 'BacktestAccepted');
    assertRefused(decided(tier, run(within + 1), roomy), 'estimated_tokens', limits.estimatedTokensPerRun, (within + 1) * perCall(assets));
  });
}

test('the estimate: steps, ticks, calls, tokens and the cost rounded up', () => {
  const e = estimate(
    runShape({ engine: 'anthropic', assets: ['BTC', 'ETH', 'SOL'] }),
    defaultBacktestLimits.starter,
    { ...defaultEstimateModel, microUsdPerMillionTokens: 3_000_001 },
    0,
  );
  assert.equal(
    [e.replaySteps, e.decisionTicks, e.activeAssets, e.decisionCalls, e.estimatedTokens, e.estimatedCostMicroUsd],
    // 24 calls × (2000 + 3 × 1000) = 120,000 tokens; 120,000 × 3,000,001 / 10^6 = 360,000.12 → 360,001
    [72, 24, 3, 24, 120_000, '360001'],
  );
  assert.equal(
    e.verdicts.map((v) => [v.limit, v.ok]),
    [
      ['daily_runs', true],
      ['replay_steps', true],
      ['active_assets', true],
      ['decision_calls', true],
      ['estimated_tokens', true],
    ],
  );
  // engines that call no provider spend no tokens; `none` makes no decision calls
  assert.is(estimate(runShape({ engine: 'rules' }), defaultBacktestLimits.starter, defaultEstimateModel, 0).estimatedTokens, 0);
  assert.is(estimate(runShape({ engine: 'none' }), defaultBacktestLimits.starter, defaultEstimateModel, 0).decisionCalls, 0);
});

test('every value is configurable, and the request freezes the configured values', () => {
  const policy = withOverrides(defaultBacktestPolicy, {
    limits: { starter: { dailyRuns: 1, replaySteps: 288 } },
    estimate: { tokensPerAsset: 10 },
  });
  assert.is(policy.limits.starter.dailyRuns, 1);
  assert.is(policy.limits.builder.dailyRuns, 10);
  assert.is(policy.estimate.tokensPerAsset, 10);
  const [req] = backtestDecider.decide(requestCommand({ limits: policy.limits.starter }), backtestDecider.initialState());
  assert.ok(req?.type === 'BacktestRequested' && req.data.limits.replaySteps === 288 && req.data.limits.dailyRuns === 1);
  assert.throws(() => withOverrides(defaultBacktestPolicy, { limits: { pro: { replaySteps: 0 } } }));
});

test('property: a request is accepted exactly when every verdict holds, else refused naming the first broken limit', () => {
  const limitsArb = fc.record({
    dailyRuns: fc.nat({ max: 5 }),
    decisionCallsPerRun: fc.nat({ max: 100 }),
    activeAssets: fc.nat({ max: 5 }),
    estimatedTokensPerRun: fc.nat({ max: 500_000 }),
    replaySteps: fc.integer({ min: 1, max: 200 }),
  });
  const runArb = fc.record({
    steps: fc.integer({ min: 1, max: 150 }),
    every: fc.integer({ min: 1, max: 4 }),
    assets: fc.integer({ min: 1, max: 6 }),
    engine: fc.constantFrom('none', 'rules', 'recorded', 'anthropic' as const),
  });
  fc.assert(
    fc.property(limitsArb, runArb, fc.nat({ max: 6 }), (limits, r, acceptedToday) => {
      const run = runShape({
        fromMs: T0 - r.steps * 5 * MINUTE,
        decisionIntervalMs: r.every * 5 * MINUTE,
        assets: symbols(r.assets),
        engine: r.engine,
      });
      const events = backtestDecider.decide(requestCommand({ run, limits, acceptedToday }), backtestDecider.initialState());
      const verdicts = estimate(run, limits, defaultEstimateModel, acceptedToday).verdicts;
      const broken = verdicts.find((v) => !v.ok);
      const outcome = events[1];
      if (!broken) assert.is(outcome?.type, 'BacktestAccepted');
      else assert.ok(outcome?.type === 'BacktestRefused' && outcome.data.limit === broken.limit);
      for (const v of verdicts) assert.is(v.ok, v.requested <= v.allowed);
    }),
    { seed: fcSeed, numRuns: fcRuns },
  );
});

test.run();
