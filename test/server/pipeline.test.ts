/**
 * The pipeline over HTTP on the recorded market: Given an owner's clone with a saved draft,
 * When the owner asks for the preview and the latest data, Then the plans, candidates, packet and
 * prompt come back typed and deterministic; unknown reads are 404; other callers are refused
 * (the authorization table has the rows too). The guardrail is checked at the unit level below.
 */
import fc from 'fast-check';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { planStrategy } from '../../commands/ai-trading/pipeline.ts';
import { tiers } from '../../commands/entitlements/tiers.ts';
import { DECISION_MINUTES, loadDecisionMarket } from '../../replay/bench/decision-data.ts';
import { chainGraph } from '../support/graphs.ts';
import { sharedData } from '../support/prop-trading.ts';
import { codeOf, startTestServer } from '../support/server.ts';
import { newAccount, signIn } from '../support/siwe.ts';
import { fcRuns, fcSeed } from '../support/store.ts';

const data = sharedData();

type Preview = {
  strategyVersionId: string;
  branches: {
    plans: { symbol: string; reads: { id: string }[] }[];
    candidates: { symbol: string }[];
    dropped: { symbol: string; reason: string }[];
  }[];
  context: {
    packet: { digest: string; sections: { id: string; rows: unknown[][] }[] };
    prompt: { templateVersion: string; system: string };
  } | null;
};

test('owner preview: plans, candidates with reasons, the packet and prompt of one asset; the same twice', async () => {
  if (!data) return;
  const server = await startTestServer({ CLASH_DEV_IDENTITY: 'true' });
  try {
    const { decisionTime } = loadDecisionMarket(server.ledger.store.db, data);
    server.clock.set(decisionTime);
    const account = newAccount();
    const owner = await signIn(server, account);
    const id = (
      (await server.call('POST', '/api/v1/clones', { auth: owner.auth, body: { name: 'Preview', modelTier: 'basic' } })).body as {
        id: string;
      }
    ).id;
    const saved = await server.call('PUT', `/api/v1/clones/${id}/draft`, {
      auth: owner.auth,
      body: { graph: chainGraph(['BTC', 'ETH']), layout: {} },
    });
    assert.is(saved.status, 200, JSON.stringify(saved.body));
    const url = `/api/v1/clones/${id}/pipeline/preview`;
    const first = await server.call('POST', url, { auth: owner.auth, body: { asset: 'BTC' } });
    assert.is(first.status, 200, JSON.stringify(first.body));
    const p = first.body as Preview;
    assert.is(p.strategyVersionId, 'draft');
    assert.equal(
      p.branches[0]?.plans.map((x) => x.symbol),
      ['BTC', 'ETH'],
    );
    assert.equal(
      p.branches[0]?.candidates.map((c) => c.symbol),
      ['BTC', 'ETH'],
      'fresh, liquid perps pass the prefilters',
    );
    assert.ok(p.context?.packet.sections.find((s) => s.id === 'hyperliquid.ohlcv.BTC')?.rows.length);
    assert.is(p.context?.prompt.templateVersion, 'prompt-v1');
    const second = (await server.call('POST', url, { auth: owner.auth, body: { asset: 'BTC' } })).body as Preview;
    assert.is(second.context?.packet.digest, p.context?.packet.digest, 'same inputs, same digest');

    const latest = await server.call('GET', `/api/v1/clones/${id}/latest-data?asset=BTC&block=hyperliquid.ohlcv.ETH`, { auth: owner.auth });
    assert.is(latest.status, 200, JSON.stringify(latest.body));
    const body = latest.body as { read: { contextSymbol: string }; section: { rows: string[][] } };
    assert.is(body.read.contextSymbol, 'ETH', 'the cross-asset block of the BTC plan');
    assert.is(
      body.section.rows.at(-1)?.[0],
      new Date(decisionTime - (decisionTime % 3_600_000) - 3_600_000).toISOString(),
      'the newest 1h ETH candle closed by T',
    );

    const missing = await server.call('GET', `/api/v1/clones/${id}/latest-data?asset=BTC&block=hyperliquid.ohlcv.DOGE`, {
      auth: owner.auth,
    });
    assert.equal([missing.status, codeOf(missing.body)], [404, 'block_not_found']);
    const notTraded = await server.call('POST', url, { auth: owner.auth, body: { asset: 'SOL' } });
    assert.equal([notTraded.status, codeOf(notTraded.body)], [404, 'asset_not_in_strategy']);
    const badField = await server.call('POST', url, { auth: owner.auth, body: { asset: 'BTC', legacy: true } });
    assert.is(badField.status, 400);
    const stranger = await signIn(server, newAccount());
    assert.is((await server.call('POST', url, { auth: stranger.auth, body: {} })).status, 403);
    assert.is((await server.call('GET', `/api/v1/clones/${id}/latest-data?asset=BTC&block=x`)).status, 401);

    server.clock.set(decisionTime + (DECISION_MINUTES - 1800) * 60_000 + 600_000);
    const again = await signIn(server, account);
    const later = (await server.call('POST', url, { auth: again.auth, body: {} })).body as Preview;
    assert.equal(
      later.branches[0]?.dropped.map((d) => d.reason),
      ['stale_data', 'stale_data'],
      'ten minutes after the last candle: stale',
    );
    assert.is(later.context, null);
  } finally {
    await server.stop();
  }
});

test('guardrails at preview: capacity counted on the expanded set, and model strength', () => {
  const universe = {
    taxonomyVersion: 1,
    assets: ['BTC', 'ETH', 'SOL', 'AVAX'].map((symbol) => ({ symbol, category: 'majors', subcategory: 'l1' })),
  };
  const graph = chainGraph([]);
  const byCategory = {
    ...graph,
    nodes: graph.nodes.map((n) => (n.type === 'asset_selection' ? { ...n, config: { ...n.config, highLevelCategories: ['majors'] } } : n)),
  };
  const strategy = {
    cloneId: 'c',
    strategyVersionId: 'draft',
    graph: byCategory,
    layout: {},
    modelTier: 'basic' as const,
    limits: tiers.starter,
    universe,
  };
  const codeOfThrown = (f: () => unknown) => {
    try {
      f();
      return null;
    } catch (e) {
      return (e as { code?: string; info?: { problems?: { rule: string }[] } }).info?.problems?.map((p) => p.rule).join(',') ?? null;
    }
  };
  assert.is(
    codeOfThrown(() => planStrategy(strategy, () => undefined)),
    'asset_capacity_exceeded',
    'four expanded assets over the starter three',
  );
  assert.is(
    codeOfThrown(() => planStrategy({ ...strategy, limits: tiers.builder }, () => undefined)),
    null,
  );
  assert.is(
    codeOfThrown(() => planStrategy({ ...strategy, limits: tiers.builder, modelTier: 'advanced' }, () => undefined)),
    'model_strength_exceeded',
  );
});

test('property: capacity is counted on the expanded set — refused exactly when the expansion exceeds the limit', () => {
  const symbols = Array.from({ length: 12 }, (_, i) => `A${i}`);
  fc.assert(
    fc.property(
      fc.array(fc.constantFrom('x', 'y', 'z'), { minLength: symbols.length, maxLength: symbols.length }),
      fc.subarray(['x', 'y', 'z']),
      fc.subarray(symbols, { maxLength: 4 }),
      fc.constantFrom('starter', 'builder', 'pro') as fc.Arbitrary<keyof typeof tiers>,
      (categories, chosen, disabled, tier) => {
        const universe = {
          taxonomyVersion: 1,
          assets: symbols.map((symbol, i) => ({ symbol, category: categories[i] as string, subcategory: 's' })),
        };
        const base = chainGraph([]);
        const graph = {
          ...base,
          nodes: base.nodes.map((n) =>
            n.type === 'asset_selection'
              ? { ...n, config: { ...n.config, highLevelCategories: chosen, explicitlyDisabledSymbols: disabled } }
              : n,
          ),
        };
        const expanded = universe.assets.filter((a) => chosen.includes(a.category) && !disabled.includes(a.symbol)).length;
        const strategy = {
          cloneId: 'c',
          strategyVersionId: 'draft',
          graph,
          layout: {},
          modelTier: 'basic' as const,
          limits: tiers[tier],
          universe,
        };
        let refused = false;
        try {
          planStrategy(strategy, () => undefined);
        } catch {
          refused = true;
        }
        assert.is(refused, expanded > tiers[tier].activeAssets, `${expanded} expanded assets on ${tier}`);
      },
    ),
    { seed: fcSeed, numRuns: fcRuns },
  );
});

test.run();
