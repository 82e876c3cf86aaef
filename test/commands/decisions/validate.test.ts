/** Validation before Prop Trading: each check refuses with its reason, all reasons are kept; properties over generated actions and contexts. */
import fc from 'fast-check';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import type { TradingAction } from '../../../commands/ai-trading/action.ts';
import { type ValidationContext, validateAction } from '../../../commands/decisions/validate.ts';
import { gateHeadroomMicroUsd } from '../../../commands/prop-trading/headroom.ts';
import { MICRO_USD, parseDecimal } from '../../../core/money.ts';
import { fcRuns, fcSeed } from '../../support/store.ts';

const ctx: ValidationContext = {
  runAsset: 'BTC',
  candidates: ['BTC', 'ETH'],
  assetEnabled: true,
  confidenceThreshold: 0.6,
  tierMaxLeverage: 5,
  assetMaxLeverage: 40,
  headroomMicroUsd: 5_000_000_000n,
  position: null,
};
const open: TradingAction = {
  action: 'open',
  asset: 'BTC',
  side: 'long',
  notionalUsd: '5000',
  leverage: 5,
  confidence: 0.6,
  exitPlan: { takeProfitPrice: '110000', stopLossPrice: '95000', invalidation: 'x' },
  reason: 'r',
};
const codes = (action: TradingAction, over: Partial<ValidationContext> = {}) => {
  const v = validateAction(action, { ...ctx, ...over });
  return v.status === 'accepted' ? [] : v.refusals.map((r) => r.code);
};

test('an open at the threshold, the caps and the headroom is accepted', () => {
  assert.equal(validateAction(open, ctx), { status: 'accepted', action: open });
});

test('each check refuses with its own code', () => {
  assert.equal(codes({ ...open, asset: 'ETH' }), ['asset_not_run_asset']);
  assert.equal(codes(open, { candidates: ['ETH'] }), ['asset_not_candidate']);
  assert.equal(codes(open, { assetEnabled: false }), ['asset_disabled']);
  assert.equal(codes({ ...open, confidence: 0.59 }), ['confidence_below_threshold']);
  assert.equal(codes({ ...open, leverage: 6 }), ['leverage_above_tier_cap']);
  assert.equal(codes(open, { assetMaxLeverage: 3 }), ['leverage_above_asset_cap']);
  assert.equal(codes({ ...open, notionalUsd: '5000.000001' }), ['size_above_headroom']);
  assert.equal(codes(open, { position: { side: 'short' } }), ['position_exists']);
  assert.equal(codes({ action: 'close', asset: 'BTC', side: 'long', confidence: 1, reason: 'r' }), ['no_position']);
  assert.equal(
    codes({ action: 'reduce', asset: 'BTC', side: 'long', notionalUsd: '1', confidence: 1, reason: 'r' }, { position: { side: 'short' } }),
    ['side_mismatch'],
  );
});

test('every failed check is reported, not only the first', () => {
  assert.equal(codes({ ...open, asset: 'ETH', confidence: 0.1, leverage: 50 }, { assetMaxLeverage: 20 }), [
    'asset_not_run_asset',
    'confidence_below_threshold',
    'leverage_above_tier_cap',
    'leverage_above_asset_cap',
  ]);
});

test('hold is accepted whatever the confidence, candidates or enablement; only its asset is checked', () => {
  const hold: TradingAction = { action: 'hold', asset: 'BTC', confidence: 0, reason: 'r' };
  assert.equal(codes(hold, { candidates: [], assetEnabled: false }), []);
  assert.equal(codes({ ...hold, asset: 'SOL' }), ['asset_not_run_asset']);
});

test('gate headroom: the position cap less the position, at most free margin × leverage, never negative', () => {
  const figures = { maxPositionNotionalMicroUsd: 100_000n, positionNotionalMicroUsd: 30_000n, freeMarginMicroUsd: 10_000n, leverage: 5 };
  assert.is(gateHeadroomMicroUsd(figures), 50_000n);
  assert.is(gateHeadroomMicroUsd({ ...figures, leverage: 10 }), 70_000n);
  assert.is(gateHeadroomMicroUsd({ ...figures, positionNotionalMicroUsd: 120_000n }), 0n);
});

test('property: an open/increase is accepted exactly when every check holds', () => {
  fc.assert(
    fc.property(
      fc.record({
        leverage: fc.integer({ min: 1, max: 50 }),
        confidence: fc.double({ min: 0, max: 1, noNaN: true }),
        notional: fc.integer({ min: 1, max: 20_000 }),
        threshold: fc.double({ min: 0, max: 1, noNaN: true }),
        tierMax: fc.integer({ min: 1, max: 50 }),
        assetMax: fc.integer({ min: 1, max: 50 }),
        headroom: fc.bigInt({ min: 0n, max: 20_000_000_000n }),
        candidate: fc.boolean(),
        enabled: fc.boolean(),
      }),
      (g) => {
        const action: TradingAction = { ...open, leverage: g.leverage, confidence: g.confidence, notionalUsd: String(g.notional) };
        const v = validateAction(action, {
          ...ctx,
          candidates: g.candidate ? ['BTC'] : ['ETH'],
          assetEnabled: g.enabled,
          confidenceThreshold: g.threshold,
          tierMaxLeverage: g.tierMax,
          assetMaxLeverage: g.assetMax,
          headroomMicroUsd: g.headroom,
        });
        const ok =
          g.candidate &&
          g.enabled &&
          g.confidence >= g.threshold &&
          g.leverage <= g.tierMax &&
          g.leverage <= g.assetMax &&
          parseDecimal(String(g.notional), MICRO_USD) <= g.headroom;
        assert.is(v.status, ok ? 'accepted' : 'refused');
        if (v.status === 'refused') assert.ok(v.refusals.length > 0 && v.refusals.every((r) => r.detail.length > 0));
      },
    ),
    { seed: fcSeed, numRuns: fcRuns },
  );
});

test.run();
