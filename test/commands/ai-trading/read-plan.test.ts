/**
 * Read plans: Given a strategy graph and a registry, When it is compiled, Then each asset's
 * plan has the reads and skips stated by doc/ai-trading.md — every precedence level, cross-asset
 * reads, unsupported pairs, derived datapoints and budget — and legacy fields are accepted.
 */
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { BUILT_IN_PROFILES } from '../../../commands/ai-trading/profiles.ts';
import {
  type BranchPlan,
  compileReadPlans,
  FIXED_PROMPT_TOKENS,
  type RegistryLookup,
  TOKENS_PER_ROW,
} from '../../../commands/ai-trading/read-plan.ts';
import type { AssetUniverse } from '../../../commands/clones/graph/asset-universe.ts';
import { compileGraph } from '../../../commands/clones/graph/compile.ts';
import { type GraphNode, type StrategyGraph, zStrategyGraphInput } from '../../../commands/clones/graph/schema.ts';
import { tiers } from '../../../commands/entitlements/tiers.ts';
import { dataStreamWith } from '../../../replay/bench/decision-data.ts';
import { assetSelection, edge, tradingPrompt } from '../../support/graphs.ts';

const universe: AssetUniverse = {
  taxonomyVersion: 1,
  assets: [
    { symbol: 'BTC', category: 'majors', subcategory: 'store_of_value' },
    { symbol: 'ETH', category: 'majors', subcategory: 'smart_contracts' },
    { symbol: 'PURR', category: 'memes', subcategory: 'hyperliquid_native' },
  ],
};
const known: Record<string, { kind: 'perp' | 'spot'; enabled: boolean }> = {
  BTC: { kind: 'perp', enabled: true },
  ETH: { kind: 'perp', enabled: true },
  PURR: { kind: 'spot', enabled: true },
};
const registry: RegistryLookup = (s) => known[s];

const stream = dataStreamWith;

/** Given a data stream feeding BTC, ETH and PURR, When compiled, Then the branch plan. */
function plansOf(ds: GraphNode, symbols = ['BTC', 'ETH', 'PURR']): BranchPlan {
  const graph: StrategyGraph = {
    nodes: [ds, assetSelection('assets', symbols), tradingPrompt('prompt')],
    edges: [edge('ds', 'assets'), edge('assets', 'prompt')],
  };
  const r = compileGraph(graph, {}, { limits: tiers.pro, modelTier: 'basic', requirePrompt: true, universe });
  if (!r.ok) throw new Error(JSON.stringify(r.problems));
  const [branch] = compileReadPlans(graph, r.compiled, universe, registry);
  return branch as BranchPlan;
}
const planFor = (b: BranchPlan, symbol: string) => b.plans.find((p) => p.symbol === symbol);
const read = (b: BranchPlan, symbol: string, id: string) => planFor(b, symbol)?.reads.find((r) => r.id === id);

test('level 4: with only a stream default, the built-in definition gives each channel of the profile', () => {
  const b = plansOf(stream());
  const btc = planFor(b, 'BTC');
  assert.equal(
    btc?.reads.map((r) => r.id),
    BUILT_IN_PROFILES.balanced.channels.map((c) => `hyperliquid.${c}.BTC`).sort(),
  );
  const ohlcv = read(b, 'BTC', 'hyperliquid.ohlcv.BTC');
  assert.equal(ohlcv, {
    id: 'hyperliquid.ohlcv.BTC',
    source: 'hyperliquid',
    channel: 'ohlcv',
    contextSymbol: 'BTC',
    lookback: '24h',
    granularity: '1h',
    maxDatapoints: 24,
    includeInPrompt: true,
    setBy: 'stream_profile',
    profile: 'balanced',
  });
});

test('level 3: the stream default profile chooses the definition; profileDefinitions edit it', () => {
  const b = plansOf(stream({ profile: 'fast', profileDefinitions: { fast: { lookback: '6h', granularity: '1m' } } }));
  const r = read(b, 'ETH', 'hyperliquid.ohlcv.ETH');
  assert.equal(
    [r?.source === 'hyperliquid' && r.lookback, r?.source === 'hyperliquid' && r.granularity, r?.maxDatapoints],
    ['6h', '1m', 60],
  );
  assert.equal(planFor(b, 'ETH')?.reads.length, BUILT_IN_PROFILES.fast.channels.length);
});

test('level 2: an asset profile beats a group profile, which beats the stream default', () => {
  const b = plansOf(
    stream({ profile: 'fast', groupProfiles: { majors: { profile: 'balanced' } }, assetOverrides: { BTC: { profile: 'deep' } } }),
  );
  const profileOf = (s: string) => {
    const r = read(b, s, `hyperliquid.ohlcv.${s}`);
    return r?.source === 'hyperliquid' ? [r.profile, r.setBy] : null;
  };
  assert.equal(profileOf('BTC'), ['deep', 'asset_profile']);
  assert.equal(profileOf('ETH'), ['balanced', 'group_profile']);
  assert.equal(profileOf('PURR'), ['fast', 'stream_profile']);
});

test('a subcategory group assignment beats its category', () => {
  const b = plansOf(stream({ groupProfiles: { majors: { profile: 'fast' }, smart_contracts: { profile: 'deep' } } }));
  const r = read(b, 'ETH', 'hyperliquid.ohlcv.ETH');
  assert.is(r?.source === 'hyperliquid' && r.profile, 'deep');
});

test('level 1: a block for the asset itself beats its profile assignment', () => {
  const block = {
    source: 'hyperliquid',
    channel: 'ohlcv',
    symbol: 'BTC',
    lookback: '6h',
    granularity: '1m',
    includeInPrompt: true,
  } as const;
  const b = plansOf(stream({ assetOverrides: { BTC: { profile: 'deep' } }, blocks: [block] }));
  const r = read(b, 'BTC', 'hyperliquid.ohlcv.BTC');
  assert.equal(r?.source === 'hyperliquid' && [r.setBy, r.lookback, r.granularity, r.maxDatapoints], ['per_asset_block', '6h', '1m', 168]);
});

test('a block naming another symbol is a cross-asset read: symbol BTC, contextSymbol ETH', () => {
  const block = {
    source: 'hyperliquid',
    channel: 'rsi',
    symbol: 'ETH',
    lookback: '24h',
    granularity: '1h',
    includeInPrompt: false,
  } as const;
  const b = plansOf(stream({ blocks: [block] }), ['BTC']);
  const r = read(b, 'BTC', 'hyperliquid.rsi.ETH');
  assert.equal([r?.contextSymbol, r?.includeInPrompt, planFor(b, 'BTC')?.symbol], ['ETH', false, 'BTC']);
});

test('unsupported pairs are skipped before retrieval, each with its reason', () => {
  const blocks = [
    { source: 'hyperliquid', channel: 'ohlcv', symbol: 'NOPE', lookback: '24h', granularity: '1h', includeInPrompt: true },
    { source: 'hyperliquid', channel: 'macd', symbol: 'ETH', lookback: '7d', granularity: '1m', includeInPrompt: true },
  ] as const;
  const b = plansOf(
    stream({
      blocks: [...blocks],
      sourcePolicy: {
        hyperliquid: { enabled: true, includeInPrompt: true },
        polymarket: { enabled: false, includeInPrompt: true },
        defillama: { enabled: true, includeInPrompt: true },
      },
    }),
  );
  const purr = planFor(b, 'PURR');
  assert.equal(
    purr?.skipped.map((s) => [s.id, s.reason]),
    [
      ['hyperliquid.funding_rates.PURR', 'channel_unsupported_on_spot'],
      ['hyperliquid.macd.ETH', 'minute_rows_kept_24h'],
      ['hyperliquid.ohlcv.NOPE', 'unknown_asset'],
    ],
  );
  assert.ok(
    planFor(b, 'BTC')?.reads.some((r) => r.id === 'hyperliquid.funding_rates.BTC'),
    'perps keep funding',
  );
  assert.not.ok(purr?.reads.some((r) => r.id === 'hyperliquid.funding_rates.PURR'));
});

test('a disabled source skips its blocks; DefiLlama and Polymarket subjects are named as context symbols', () => {
  const blocks = [
    { source: 'defillama', channel: 'tvl', scope: { kind: 'protocol', id: 'hyperliquid-hlp' }, lookback: '7d', includeInPrompt: true },
    { source: 'polymarket', target: { kind: 'event', slug: 'fed-decision' }, includeInPrompt: true },
  ] as const;
  const on = plansOf(stream({ blocks: [...blocks] }), ['BTC']);
  assert.equal(
    planFor(on, 'BTC')
      ?.reads.filter((r) => r.source !== 'hyperliquid')
      .map((r) => [r.contextSymbol, r.maxDatapoints]),
    [
      ['defillama:protocol:hyperliquid-hlp', 7],
      ['polymarket:event:fed-decision', 2],
    ],
  );
  const policy = {
    hyperliquid: { enabled: false, includeInPrompt: true },
    polymarket: { enabled: false, includeInPrompt: true },
    defillama: { enabled: false, includeInPrompt: true },
  };
  const off = plansOf(stream({ blocks: [...blocks], sourcePolicy: policy }), ['BTC']);
  assert.equal(planFor(off, 'BTC')?.reads, []);
  assert.ok(planFor(off, 'BTC')?.skipped.every((s) => s.reason === 'source_disabled'));
});

test('max datapoints and the prompt budget are derived from the reads', () => {
  const b = plansOf(stream({ profile: 'deep' }), ['BTC']);
  const btc = planFor(b, 'BTC');
  assert.is(btc?.maxDatapoints, 6 * 168);
  assert.is(btc?.promptBudgetTokens, FIXED_PROMPT_TOKENS + 6 * 168 * TOKENS_PER_ROW);
});

test('the universe carries each symbol its selection source, taxonomy and support flags', () => {
  const graph: StrategyGraph = {
    nodes: [
      stream(),
      {
        id: 'assets',
        type: 'asset_selection',
        config: {
          highLevelCategories: ['majors'],
          subcategories: [],
          explicitlyEnabledSymbols: ['PURR'],
          explicitlyDisabledSymbols: ['ETH'],
        },
      },
      tradingPrompt('prompt'),
    ],
    edges: [edge('ds', 'assets'), edge('assets', 'prompt')],
  };
  const r = compileGraph(graph, {}, { limits: tiers.pro, modelTier: 'basic', requirePrompt: true, universe });
  assert.ok(r.ok);
  const [branch] = r.ok ? compileReadPlans(graph, r.compiled, universe, registry) : [];
  assert.equal(branch?.universe, [
    {
      symbol: 'BTC',
      source: 'category',
      category: 'majors',
      subcategory: 'store_of_value',
      kind: 'perp',
      tradable: true,
      fundingContext: true,
    },
    {
      symbol: 'PURR',
      source: 'explicit',
      category: 'memes',
      subcategory: 'hyperliquid_native',
      kind: 'spot',
      tradable: true,
      fundingContext: false,
    },
  ]);
});

test('legacy trading-prompt fields are accepted and dropped; candidatePolicy defaults to 10, at most 25', () => {
  const prompt = {
    id: 'prompt',
    type: 'trading_prompt',
    config: {
      enabled: true,
      customBehaviorPrompt: 'x',
      decisionCadenceSec: 300,
      coverageMode: 'global',
      assetOverrides: {},
      maxAssetsPerRun: 5,
      traderType: 'scalper',
      analysisTimeframe: '15m',
      marketMomentumSensitivity: 0.7,
    },
  };
  const parsed = zStrategyGraphInput.parse({ nodes: [prompt], edges: [] });
  assert.equal(parsed.nodes[0]?.config, {
    enabled: true,
    customBehaviorPrompt: 'x',
    decisionCadenceSec: 300,
    candidatePolicy: { maxCandidates: 10 },
    coverageMode: 'global',
    assetOverrides: {},
  });
  const tooMany = zStrategyGraphInput.safeParse({
    nodes: [{ ...prompt, config: { ...prompt.config, candidatePolicy: { maxCandidates: 26 } } }],
    edges: [],
  });
  assert.not.ok(tooMany.success);
  const unknown = zStrategyGraphInput.safeParse({ nodes: [{ ...prompt, config: { ...prompt.config, somethingElse: 1 } }], edges: [] });
  assert.not.ok(unknown.success, 'other unknown fields are still refused');
});

test.run();
