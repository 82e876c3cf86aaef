/**
 * The strategy graph as the backend contract stores it: executable nodes `data_stream`,
 * `asset_selection` and `trading_prompt`, edges between them, and the builder's layout
 * (the visual Trading Clone Block and node positions) kept apart from the executable graph.
 */
import { z } from 'zod';
import { zBoundedRecord } from '../../../core/text.ts';

/** Candidates of one run (seed `002_…` "Candidate Policy"): 10 by default, 25 at most. */
export const DEFAULT_CANDIDATES = 10;
export const MAX_CANDIDATES = 25;
/** The most nodes and edges a graph may have (issue 10: every collection is bounded). */
export const MAX_GRAPH_NODES = 100;
export const MAX_GRAPH_EDGES = 400;
/** The most symbols one asset selection lists, and the most per-asset overrides a node holds. */
const MAX_SYMBOLS = 100;

const zNodeId = z
  .string()
  .max(64)
  .regex(/^[A-Za-z0-9_-]{1,64}$/, 'letters, digits, _ and -, at most 64');
const zSymbol = z
  .string()
  .max(20)
  .regex(/^[A-Za-z0-9]{1,20}$/, 'an asset symbol such as BTC or kPEPE');
const symbols = z.array(zSymbol).max(MAX_SYMBOLS);
const tags = z.array(z.string().min(1).max(60)).max(50);
const includeInPrompt = z.boolean();
const retrievalProfile = z.enum(['fast', 'balanced', 'deep']);
const lookback = z.enum(['1h', '6h', '24h', '7d']);
const granularity = z.enum(['1m', '1h']);
const profileDefinition = z.object({ lookback, granularity }).strict();

/** One context block of a data stream (the builder drops one per source/channel). */
const zContextBlock = z.discriminatedUnion('source', [
  z
    .object({
      source: z.literal('hyperliquid'),
      channel: z.enum(['ohlcv', 'funding_rates', 'rsi', 'bollinger_bands', 'moving_averages', 'macd']),
      /** The asset read from market memory (`contextSymbol`), which may differ from the traded one. */
      symbol: zSymbol,
      lookback,
      granularity,
      includeInPrompt,
    })
    .strict(),
  z
    .object({
      source: z.literal('polymarket'),
      target: z.object({ kind: z.enum(['market', 'event']), slug: z.string().min(1).max(200) }).strict(),
      includeInPrompt,
    })
    .strict(),
  z
    .object({
      source: z.literal('defillama'),
      channel: z.enum(['tvl', 'flows', 'dex_volume', 'fees', 'revenue', 'open_interest']),
      scope: z.object({ kind: z.enum(['global', 'chain', 'protocol', 'stablecoin']), id: z.string().min(1).max(100).optional() }).strict(),
      lookback,
      includeInPrompt,
    })
    .strict(),
]);

const sourceRule = z.object({ enabled: z.boolean(), includeInPrompt }).strict();

const zDataStreamConfig = z
  .object({
    profile: retrievalProfile,
    sourcePolicy: z.object({ hyperliquid: sourceRule, polymarket: sourceRule, defillama: sourceRule }).strict(),
    blocks: z.array(zContextBlock).max(50),
    /** Per profile (a closed object, so the contract says other keys are refused). */
    profileDefinitions: z
      .object({ fast: profileDefinition.optional(), balanced: profileDefinition.optional(), deep: profileDefinition.optional() })
      .strict()
      .optional(),
    assetOverrides: zBoundedRecord(zSymbol, z.object({ profile: retrievalProfile }).strict(), MAX_SYMBOLS).optional(),
    /** Asset/group profile assignment: a subcategory or category tag → profile (doc/ai-trading.md, precedence). */
    groupProfiles: zBoundedRecord(z.string().min(1).max(60), z.object({ profile: retrievalProfile }).strict(), MAX_SYMBOLS).optional(),
  })
  .strict();

const zAssetSelectionConfig = z
  .object({
    highLevelCategories: tags,
    subcategories: tags,
    explicitlyEnabledSymbols: symbols,
    explicitlyDisabledSymbols: symbols,
  })
  .strict();

const zTradingPromptConfig = z
  .object({
    enabled: z.boolean(),
    customBehaviorPrompt: z.string().max(8000),
    decisionCadenceSec: z.number().int().min(60).max(86_400),
    /** The confidence (0..1) an action of this branch needs to be sent; absent: `DEFAULT_CONFIDENCE_THRESHOLD` (commands/decisions/validate.ts). */
    minConfidence: z.number().min(0).max(1).optional(),
    candidatePolicy: z
      .object({ maxCandidates: z.number().int().min(1).max(MAX_CANDIDATES).default(DEFAULT_CANDIDATES) })
      .strict()
      .default({ maxCandidates: DEFAULT_CANDIDATES }),
    coverageMode: z.enum(['global', 'global_with_asset_overrides', 'asset_specific_only']),
    assetOverrides: zBoundedRecord(
      zSymbol,
      z.object({ enabled: z.boolean(), customBehaviorPrompt: z.string().max(8000) }).strict(),
      MAX_SYMBOLS,
    ),
  })
  .strict();

const zGraphNode = z.discriminatedUnion('type', [
  z.object({ id: zNodeId, type: z.literal('data_stream'), config: zDataStreamConfig }).strict(),
  z.object({ id: zNodeId, type: z.literal('asset_selection'), config: zAssetSelectionConfig }).strict(),
  z.object({ id: zNodeId, type: z.literal('trading_prompt'), config: zTradingPromptConfig }).strict(),
]);
export type GraphNode = z.output<typeof zGraphNode>;
export type NodeType = GraphNode['type'];

export const zStrategyGraph = z
  .object({
    nodes: z.array(zGraphNode).max(MAX_GRAPH_NODES),
    edges: z.array(z.object({ source: zNodeId, target: zNodeId }).strict()).max(MAX_GRAPH_EDGES),
  })
  .strict();
export type StrategyGraph = z.output<typeof zStrategyGraph>;

/** Legacy trading-prompt fields (seed `002_…` §D): compatibility payloads may carry them; they are accepted and ignored. */
export const LEGACY_PROMPT_FIELDS = ['maxAssetsPerRun', 'traderType', 'analysisTimeframe', 'marketMomentumSensitivity'] as const;

function withoutLegacyFields(input: unknown): unknown {
  if (!input || typeof input !== 'object' || !Array.isArray((input as { nodes?: unknown }).nodes)) return input;
  const graph = input as { nodes: unknown[] };
  const nodes = graph.nodes.map((n) => {
    const node = n as { type?: unknown; config?: unknown };
    if (node?.type !== 'trading_prompt' || !node.config || typeof node.config !== 'object') return n;
    const config = { ...(node.config as Record<string, unknown>) };
    for (const field of LEGACY_PROMPT_FIELDS) delete config[field];
    return { ...node, config };
  });
  return { ...graph, nodes };
}

/** The graph as clients send it: legacy trading-prompt fields dropped, then `zStrategyGraph` (the stored form stays strict). */
export const zStrategyGraphInput = z.preprocess(withoutLegacyFields, zStrategyGraph);

const position = z.object({ x: z.number().finite(), y: z.number().finite() }).strict();

/**
 * Builder metadata only: the compiler ignores it except to check that every id it names is a
 * node of the graph (and the connected ones trading prompts). At most one position per node.
 */
export const zGraphLayout = z
  .object({
    strategyClone: z
      .object({ position: position.optional(), connectedPromptNodeIds: z.array(zNodeId).max(MAX_GRAPH_NODES).optional() })
      .strict()
      .optional(),
    nodePositions: zBoundedRecord(zNodeId, position, MAX_GRAPH_NODES).optional(),
  })
  .strict();
export type GraphLayout = z.output<typeof zGraphLayout>;

export const emptyGraph: StrategyGraph = { nodes: [], edges: [] };
