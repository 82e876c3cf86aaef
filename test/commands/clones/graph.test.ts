/** The graph compiler: each rule with the node it names, the compiled branches, and properties. */
import fc from 'fast-check';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import type { AssetSelectionConfig, AssetUniverse } from '../../../commands/clones/graph/asset-universe.ts';
import { type CompileOptions, compileGraph } from '../../../commands/clones/graph/compile.ts';
import type { GraphLayout, GraphNode, StrategyGraph } from '../../../commands/clones/graph/schema.ts';
import { zStrategyGraph } from '../../../commands/clones/graph/schema.ts';
import { tiers } from '../../../commands/entitlements/tiers.ts';
import { assetSelection, chainGraph, dataStream, edge, tradingPrompt } from '../../support/graphs.ts';
import { fcRuns, fcSeed } from '../../support/store.ts';

const options: CompileOptions = { limits: tiers.starter, modelTier: 'basic', requirePrompt: true };
const problemsOf = (graph: StrategyGraph, layout: GraphLayout = {}, o: CompileOptions = options) => {
  const r = compileGraph(graph, layout, o);
  return r.ok ? [] : r.problems.map((p) => `${p.rule}@${p.nodeId ?? 'graph'}`);
};
const g = (nodes: GraphNode[], edges: [string, string][]): StrategyGraph => ({ nodes, edges: edges.map(([s, t]) => edge(s, t)) });

test('the chain compiles into one branch', () => {
  const r = compileGraph(chainGraph(), {}, options);
  assert.equal(r, {
    ok: true,
    compiled: {
      branches: [{ promptNodeId: 'prompt', assetSelectionNodeIds: ['assets'], dataStreamNodeIds: ['ds'], symbols: ['BTC', 'ETH'] }],
      activeSymbols: ['BTC', 'ETH'],
      selections: {
        assets: [
          { symbol: 'BTC', source: 'explicit' },
          { symbol: 'ETH', source: 'explicit' },
        ],
      },
    },
  });
});

const universe: AssetUniverse = {
  taxonomyVersion: 1,
  assets: [
    { symbol: 'BTC', category: 'majors', subcategory: 'store_of_value' },
    { symbol: 'ETH', category: 'majors', subcategory: 'smart_contract_majors' },
    { symbol: 'SOL', category: 'majors', subcategory: 'smart_contract_majors' },
    { symbol: 'DOGE', category: 'memes', subcategory: 'dog_frog_cat' },
    { symbol: 'WIF', category: 'memes', subcategory: 'dog_frog_cat' },
    { symbol: 'ARB', category: 'layer_2', subcategory: 'rollups' },
  ],
};
const selectionGraph = (config: Partial<AssetSelectionConfig>): StrategyGraph => {
  const base = chainGraph([]);
  const node = assetSelection('assets', []);
  const nodes = base.nodes.map((n) =>
    n.id === 'assets' && node.type === 'asset_selection' ? { ...node, config: { ...node.config, ...config } } : n,
  );
  return { ...base, nodes: nodes as GraphNode[] };
};

test('categories and subcategories expand through the taxonomy, each symbol with its source; disabling wins', () => {
  const r = compileGraph(
    selectionGraph({
      highLevelCategories: ['majors'],
      subcategories: ['rollups'],
      explicitlyEnabledSymbols: ['SOL', 'kPEPE'],
      explicitlyDisabledSymbols: ['ETH'],
    }),
    {},
    { ...options, limits: tiers.pro, universe },
  );
  assert.ok(r.ok);
  assert.equal(r.compiled.selections.assets, [
    { symbol: 'ARB', source: 'subcategory' },
    { symbol: 'BTC', source: 'category' },
    { symbol: 'SOL', source: 'explicit' },
    { symbol: 'kPEPE', source: 'explicit' },
  ]);
  assert.equal(r.compiled.activeSymbols, ['ARB', 'BTC', 'SOL', 'kPEPE']);
});

test('entitlement capacity counts the expanded set: a category selection no longer escapes the cap', () => {
  const memes = selectionGraph({ highLevelCategories: ['majors', 'memes'] });
  assert.equal(problemsOf(memes, {}, { ...options, universe }), ['asset_capacity_exceeded@assets'], 'five assets over the starter three');
  assert.equal(problemsOf(memes, {}, { ...options, limits: tiers.builder, universe }), [], 'six allowed on builder');
  assert.equal(problemsOf(memes, {}, options), [], 'an empty universe expands to nothing');
});

test('each rule names its node', () => {
  const ds = dataStream('ds');
  const a = assetSelection('a');
  const p = tradingPrompt('p');
  const cases: [string, StrategyGraph, string[], GraphLayout?][] = [
    [
      'duplicate id',
      g(
        [ds, a, p, tradingPrompt('p')],
        [
          ['ds', 'a'],
          ['a', 'p'],
        ],
      ),
      ['duplicate_node_id@p'],
    ],
    [
      'edge to nowhere',
      g(
        [ds, a, p],
        [
          ['ds', 'a'],
          ['a', 'p'],
          ['a', 'ghost'],
        ],
      ),
      ['edge_unknown_node@ghost'],
    ],
    [
      'duplicate edge',
      g(
        [ds, a, p],
        [
          ['ds', 'a'],
          ['a', 'p'],
          ['a', 'p'],
        ],
      ),
      ['duplicate_edge@a'],
    ],
    [
      'skipping the asset block',
      g(
        [ds, a, p],
        [
          ['ds', 'a'],
          ['a', 'p'],
          ['ds', 'p'],
        ],
      ),
      ['edge_not_allowed@ds'],
    ],
    [
      'a back edge makes a cycle',
      g(
        [ds, a, p],
        [
          ['ds', 'a'],
          ['a', 'p'],
          ['p', 'a'],
        ],
      ),
      ['edge_not_allowed@p', 'cycle@a'],
    ],
    [
      'a prompt without assets',
      g(
        [ds, a, p, tradingPrompt('q')],
        [
          ['ds', 'a'],
          ['a', 'p'],
        ],
      ),
      ['prompt_unreachable@q'],
    ],
    [
      'a dangling data stream',
      g(
        [ds, dataStream('d2'), a, p],
        [
          ['ds', 'a'],
          ['a', 'p'],
        ],
      ),
      ['dangling_node@d2'],
    ],
    [
      'a dangling asset selection',
      g(
        [ds, a, assetSelection('b', []), p],
        [
          ['ds', 'a'],
          ['a', 'p'],
          ['ds', 'b'],
        ],
      ),
      ['dangling_node@b'],
    ],
    [
      'layout names a non-prompt',
      chainGraph(),
      ['layout_unknown_prompt@assets'],
      { strategyClone: { connectedPromptNodeIds: ['assets'] } },
    ],
    ['too many assets', chainGraph(['BTC', 'ETH', 'SOL', 'ARB']), ['asset_capacity_exceeded@assets']],
    [
      'no enabled prompt to publish',
      g(
        [ds, a, tradingPrompt('p', false)],
        [
          ['ds', 'a'],
          ['a', 'p'],
        ],
      ),
      ['no_trading_prompt@graph'],
    ],
  ];
  for (const [name, graph, expected, layout] of cases) assert.equal(problemsOf(graph, layout), expected, name);
});

test('asset-specific coverage needs overrides; disabled symbols do not count against capacity', () => {
  const graph = chainGraph();
  const prompt = graph.nodes[2] as Extract<GraphNode, { type: 'trading_prompt' }>;
  const specific = {
    ...graph,
    nodes: [graph.nodes[0], graph.nodes[1], { ...prompt, config: { ...prompt.config, coverageMode: 'asset_specific_only' } }],
  };
  assert.equal(problemsOf(specific as StrategyGraph), ['coverage_needs_overrides@prompt']);
  const assets = assetSelection('assets', ['BTC', 'ETH', 'SOL', 'ARB']) as Extract<GraphNode, { type: 'asset_selection' }>;
  assets.config.explicitlyDisabledSymbols = ['SOL', 'ARB'];
  assert.equal(problemsOf({ ...graph, nodes: [graph.nodes[0] as GraphNode, assets, prompt] }), []);
});

test('a model tier above the entitlement is refused; a draft need not have a prompt', () => {
  assert.equal(problemsOf(chainGraph(), {}, { ...options, modelTier: 'advanced' }), ['model_strength_exceeded@graph']);
  assert.equal(problemsOf({ nodes: [], edges: [] }, {}, { ...options, requirePrompt: false }), []);
});

test("a trading prompt's minConfidence is optional and within 0..1", () => {
  const withConfidence = (minConfidence: unknown) => {
    const graph = chainGraph();
    const prompt = graph.nodes[2] as Extract<GraphNode, { type: 'trading_prompt' }>;
    return { ...graph, nodes: [graph.nodes[0], graph.nodes[1], { ...prompt, config: { ...prompt.config, minConfidence } }] };
  };
  assert.ok(zStrategyGraph.safeParse(chainGraph()).success, 'absent');
  for (const ok of [0, 0.65, 1]) assert.ok(zStrategyGraph.safeParse(withConfidence(ok)).success, String(ok));
  for (const bad of [-0.1, 1.01, '0.7', null]) {
    const r = zStrategyGraph.safeParse(withConfidence(bad));
    assert.ok(!r.success && r.error.issues.some((i) => i.path.at(-1) === 'minConfidence'), String(bad));
  }
});

const arbGraph = fc
  .record({
    streams: fc.integer({ min: 0, max: 3 }),
    selections: fc.array(fc.subarray(['BTC', 'ETH', 'SOL', 'ARB', 'DOGE']), { maxLength: 3 }),
    prompts: fc.integer({ min: 0, max: 3 }),
    edges: fc.array(fc.tuple(fc.nat({ max: 9 }), fc.nat({ max: 9 })), { maxLength: 15 }),
  })
  .map(({ streams, selections, prompts, edges }): StrategyGraph => {
    const nodes = [
      ...Array.from({ length: streams }, (_, i) => dataStream(`d${i}`)),
      ...selections.map((s, i) => assetSelection(`a${i}`, s)),
      ...Array.from({ length: prompts }, (_, i) => tradingPrompt(`p${i}`)),
    ];
    const id = (k: number) => (nodes[k % nodes.length] as GraphNode).id;
    return { nodes, edges: nodes.length === 0 ? [] : edges.map(([s, t]) => edge(id(s), id(t))) };
  });

test('property: any schema-valid graph compiles or fails with problems naming known rules and existing nodes', () => {
  const rules = new Set([
    'duplicate_edge',
    'edge_not_allowed',
    'cycle',
    'prompt_unreachable',
    'dangling_node',
    'asset_capacity_exceeded',
    'no_trading_prompt',
  ]);
  fc.assert(
    fc.property(arbGraph, (graph) => {
      assert.ok(zStrategyGraph.safeParse(graph).success);
      const r = compileGraph(graph, {}, options);
      if (r.ok) {
        // every compiled branch is a complete chain
        for (const b of r.compiled.branches) assert.ok(b.assetSelectionNodeIds.length > 0);
        assert.ok(r.compiled.activeSymbols.length <= tiers.starter.activeAssets);
        return;
      }
      const ids = new Set(graph.nodes.map((n) => n.id));
      for (const p of r.problems) {
        assert.ok(rules.has(p.rule), p.rule);
        assert.ok(p.nodeId === null || ids.has(p.nodeId), `${p.rule} names ${p.nodeId}`);
      }
    }),
    { seed: fcSeed, numRuns: fcRuns * 5 },
  );
});

test.run();
