/**
 * Prompt v1: Given a packet and trading-prompt settings, When rendered, Then the behavior
 * follows `coverageMode`, and over budget the sections lose rows lowest priority first while the
 * output contract and the behavior stay whole.
 */
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { ACTION_CONTRACT_TEXT, zTradingAction } from '../../../commands/ai-trading/action.ts';
import type { PacketData, PacketSection } from '../../../commands/ai-trading/packet.ts';
import { behaviorOf, coversAsset, estimateTokens, renderPrompt } from '../../../commands/ai-trading/prompt.ts';

const rows = (n: number) =>
  Array.from({ length: n }, (_, i) => [`2026-01-05T00:${String(i).padStart(2, '0')}:00.000Z`, '100.5', '101', '99', '100', '12']);
const section = (id: string, contextSymbol: string, source: PacketSection['source'] = 'hyperliquid'): PacketSection => ({
  id,
  source,
  contextSymbol,
  includeInPrompt: true,
  columns: ['openTime', 'open', 'high', 'low', 'close', 'volume'],
  rows: rows(40),
});
const data: PacketData = {
  packetVersion: 1,
  cloneId: 'c',
  strategyVersionId: 'v',
  graphDigest: 'g',
  promptNodeId: 'p',
  symbol: 'BTC',
  decisionTime: '2026-01-05T01:00:00.000Z',
  plan: { symbol: 'BTC', reads: [], skipped: [], maxDatapoints: 0, promptBudgetTokens: 0 },
  sections: [
    section('hyperliquid.ohlcv.BTC', 'BTC'),
    section('hyperliquid.ohlcv.ETH', 'ETH'),
    section('defillama.tvl.defillama:global:all', 'defillama:global:all', 'defillama'),
    { ...section('hyperliquid.rsi.BTC', 'BTC'), includeInPrompt: false },
  ],
  account: null,
};
const settings = {
  customBehaviorPrompt: 'Global rules.',
  coverageMode: 'global' as const,
  assetOverrides: { BTC: { enabled: true, customBehaviorPrompt: 'BTC rules.' } },
};

test('coverage modes: global, global with overrides appended, asset-specific only', () => {
  assert.is(behaviorOf(settings, 'BTC'), 'Global rules.');
  assert.is(
    behaviorOf({ ...settings, coverageMode: 'global_with_asset_overrides' }, 'BTC'),
    'Global rules.\n\nFor BTC specifically:\nBTC rules.',
  );
  assert.is(behaviorOf({ ...settings, coverageMode: 'global_with_asset_overrides' }, 'ETH'), 'Global rules.');
  assert.is(behaviorOf({ ...settings, coverageMode: 'asset_specific_only' }, 'BTC'), 'BTC rules.');
  assert.ok(coversAsset({ ...settings, coverageMode: 'asset_specific_only' }, 'BTC'));
  assert.not.ok(coversAsset({ ...settings, coverageMode: 'asset_specific_only' }, 'ETH'));
});

test('the account section renders equity, the ledger, every gate headroom sorted, positions and recent fills', () => {
  const account: NonNullable<PacketData['account']> = {
    propAccountId: 'acc-1',
    status: 'active',
    updatedAt: '2026-01-05T00:59:00.000Z',
    equityMicroUsd: '9950000000',
    drawdownPpm: 5000,
    positions: [
      { asset: 'BTC', side: 'long', size: '0.9', entryPrice: '100050', liquidationPrice: '95500.5', unrealizedPnlMicroUsd: '-45000000' },
    ],
    openOrders: 0,
    recentFills: [{ time: '2026-01-05T00:30:00.000Z', asset: 'BTC', side: 'buy', size: '0.9', price: '100050' }],
    ledger: {
      startingEquityMicroUsd: '10000000000',
      cashMicroUsd: '9995000000',
      realizedPnlMicroUsd: '0',
      feesMicroUsd: '5000000',
      fundingMicroUsd: '0',
      marginUsedMicroUsd: '4502250000',
      trades: 1,
    },
    headroomMicroUsd: {
      positionNotional: '100000000000',
      dailyLoss: '450000000',
      'positionNotional.BTC': '9955000000',
      drawdown: '950000000',
      freeMargin: '5447750000',
    },
  };
  const { user } = renderPrompt({ ...data, account }, settings, 100_000);
  const section = user.slice(user.indexOf('## Account'), user.indexOf('## Market context'));
  assert.is(
    section.trim(),
    [
      '## Account',
      'equityMicroUsd=9950000000 drawdownPpm=5000 openOrders=0 status=active updatedAt=2026-01-05T00:59:00.000Z',
      'ledgerMicroUsd: starting=10000000000 cash=9995000000 realizedPnl=0 fees=5000000 funding=0 marginUsed=4502250000 trades=1',
      'headroomMicroUsd: dailyLoss=450000000 drawdown=950000000 freeMargin=5447750000 positionNotional=100000000000 positionNotional.BTC=9955000000',
      'asset|side|size|entryPrice|liquidationPrice|unrealizedPnlMicroUsd',
      'BTC|long|0.9|100050|95500.5|-45000000',
      'recent fills: time|asset|side|size|price',
      '2026-01-05T00:30:00.000Z|BTC|buy|0.9|100050',
    ].join('\n'),
  );
});

test('within budget nothing is trimmed; sections not for the prompt are left out', () => {
  const p = renderPrompt(data, settings, 100_000);
  assert.ok(p.sections.every((s) => s.trimmedRows === 0));
  assert.not.ok(p.user.includes('hyperliquid.rsi.BTC'));
  assert.is(p.estimatedTokens, estimateTokens(p.system) + estimateTokens(p.user));
});

test('over budget: DefiLlama first, then the cross-asset read, then the asset; the contract and behavior stay', () => {
  const full = renderPrompt(data, settings, 100_000);
  const trimmedOf = (budget: number) =>
    Object.fromEntries(renderPrompt(data, settings, budget).sections.map((s) => [s.name, s.trimmedRows]));
  const small = trimmedOf(full.estimatedTokens - 100);
  assert.ok((small['defillama.tvl.defillama:global:all'] ?? 0) > 0);
  assert.is(small['hyperliquid.ohlcv.ETH'], 0);
  assert.is(small['hyperliquid.ohlcv.BTC'], 0);
  const smaller = trimmedOf(full.estimatedTokens - 1200);
  assert.is(smaller['defillama.tvl.defillama:global:all'], 40);
  assert.ok((smaller['hyperliquid.ohlcv.ETH'] ?? 0) > 0);
  const none = renderPrompt(data, settings, 10);
  assert.ok(none.system.includes(ACTION_CONTRACT_TEXT));
  assert.ok(none.user.includes('Global rules.'));
  assert.ok(
    none.sections.filter((s) => s.name.startsWith('hyperliquid.ohlcv')).every((s) => s.trimmedRows === 40),
    'everything trimmable is gone',
  );
});

test('the action schema accepts the contract and refuses anything else', () => {
  const exitPlan = { takeProfitPrice: '110', stopLossPrice: '95', invalidation: 'loses the level' };
  const open = {
    action: 'open',
    asset: 'BTC',
    side: 'long',
    notionalUsd: '250.5',
    leverage: 3,
    confidence: 0.7,
    exitPlan,
    reason: 'breakout',
  };
  assert.ok(zTradingAction.safeParse(open).success);
  assert.ok(zTradingAction.safeParse({ action: 'hold', asset: 'BTC', confidence: 0.5, reason: 'flat' }).success);
  assert.not.ok(zTradingAction.safeParse({ action: 'hold', reason: 'flat' }).success, 'asset and confidence are required');
  assert.not.ok(
    zTradingAction.safeParse({ action: 'open', side: 'long', notionalUsd: 250.5, leverage: 3, reason: 'x' }).success,
    'no float amounts',
  );
  assert.not.ok(zTradingAction.safeParse({ action: 'hold', reason: 'x', extra: 1 }).success);
  assert.not.ok(zTradingAction.safeParse({ action: 'open', side: 'long', notionalUsd: '1', leverage: 51, reason: 'x' }).success);
});

test.run();
