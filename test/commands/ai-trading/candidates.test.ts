/**
 * The candidate policy: Given a universe, held assets and per-asset facts, When candidates are
 * selected, Then held assets are always in, the cap holds, ranking is deterministic and every
 * asset is either a candidate or dropped with a reason.
 */
import fc from 'fast-check';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { type AssetFacts, DEFAULT_PREFILTERS, selectCandidates } from '../../../commands/ai-trading/candidates.ts';
import type { UniverseEntry } from '../../../commands/ai-trading/read-plan.ts';
import { fcRuns, fcSeed } from '../../support/store.ts';

const AT = Date.UTC(2026, 0, 5);
const entry = (symbol: string, tradable = true): UniverseEntry => ({
  symbol,
  source: 'explicit',
  category: 'majors',
  subcategory: 'x',
  kind: 'perp',
  tradable,
  fundingContext: true,
});
const liquid: AssetFacts = {
  lastCandleCloseTime: AT - 60_000,
  dayVolumeMicroUsd: 5_000_000_000_000n,
  openInterestMicroUsd: null,
  dayRangePpm: 20_000,
};

test('held first, then by day volume, then symbol; each drop has its reason', () => {
  const facts: Record<string, AssetFacts> = {
    AAA: liquid,
    BBB: { ...liquid, dayVolumeMicroUsd: 9_000_000_000_000n },
    CCC: { ...liquid, lastCandleCloseTime: AT - 600_000 },
    DDD: { ...liquid, dayVolumeMicroUsd: 1n, openInterestMicroUsd: null },
    EEE: { ...liquid, dayVolumeMicroUsd: 1n, openInterestMicroUsd: 2_000_000_000_000n },
    FFF: liquid,
    ZZZ: { ...liquid, lastCandleCloseTime: null },
  };
  const universe = ['AAA', 'BBB', 'CCC', 'DDD', 'EEE', 'FFF', 'GGG'].map((s) => entry(s, s !== 'GGG'));
  const r = selectCandidates(universe, ['ZZZ'], (s) => facts[s] ?? liquid, DEFAULT_PREFILTERS, 3, AT);
  assert.equal(r.candidates, [
    { symbol: 'ZZZ', reason: 'open_position', rank: 1 },
    { symbol: 'BBB', reason: 'passed_prefilters', rank: 2 },
    { symbol: 'AAA', reason: 'passed_prefilters', rank: 3 },
  ]);
  assert.equal(r.dropped, [
    { symbol: 'CCC', reason: 'stale_data' },
    { symbol: 'DDD', reason: 'below_liquidity_floor' },
    { symbol: 'EEE', reason: 'over_cap' },
    { symbol: 'FFF', reason: 'over_cap' },
    { symbol: 'GGG', reason: 'not_tradable' },
  ]);
});

test('a volatility band drops assets outside it', () => {
  const r = selectCandidates(
    [entry('AAA'), entry('BBB')],
    [],
    (s) => (s === 'AAA' ? liquid : { ...liquid, dayRangePpm: 200_000 }),
    {
      ...DEFAULT_PREFILTERS,
      volatilityBandPpm: { min: 10_000, max: 100_000 },
    },
    10,
    AT,
  );
  assert.equal(r.dropped, [{ symbol: 'BBB', reason: 'outside_volatility_band' }]);
});

test('property: held assets always in, the cap holds, every asset accounted for once, order-independent', () => {
  const symbol = fc.constantFrom(...Array.from({ length: 30 }, (_, i) => `A${i}`));
  const facts = fc.record({
    lastCandleCloseTime: fc.option(fc.integer({ min: AT - 900_000, max: AT }), { nil: null }),
    dayVolumeMicroUsd: fc.option(fc.bigInt({ min: 0n, max: 10n ** 14n }), { nil: null }),
    openInterestMicroUsd: fc.option(fc.bigInt({ min: 0n, max: 10n ** 14n }), { nil: null }),
    dayRangePpm: fc.option(fc.integer({ min: 0, max: 500_000 }), { nil: null }),
  });
  fc.assert(
    fc.property(
      fc.uniqueArray(symbol, { maxLength: 30 }),
      fc.uniqueArray(symbol, { maxLength: 5 }),
      fc.dictionary(symbol, facts),
      fc.integer({ min: 1, max: 25 }),
      (universeSymbols, held, factMap, cap) => {
        const universe = universeSymbols.map((s) => entry(s));
        const factsOf = (s: string) => factMap[s] ?? liquid;
        const r = selectCandidates(universe, held, factsOf, DEFAULT_PREFILTERS, cap, AT);
        const chosen = r.candidates.map((c) => c.symbol);
        for (const h of held) assert.ok(chosen.includes(h), `held ${h} is a candidate`);
        assert.ok(chosen.length <= Math.max(cap, held.length), 'the cap holds');
        const accounted = [...chosen, ...r.dropped.map((d) => d.symbol)].sort();
        assert.equal(accounted, [...new Set([...universeSymbols, ...held])].sort(), 'each asset exactly once');
        const shuffled = selectCandidates([...universe].reverse(), [...held].reverse(), factsOf, DEFAULT_PREFILTERS, cap, AT);
        assert.equal(shuffled, r, 'input order does not matter');
      },
    ),
    { seed: fcSeed, numRuns: fcRuns },
  );
});

test.run();
