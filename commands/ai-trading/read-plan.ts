/**
 * Read plans: what one strategy branch reads from market memory for each asset it trades
 * (seed `002_…` §A "Effective output", §B, Runtime Pipeline steps 2–4). Pure: the compiled
 * graph, the universe and the registry come in; nothing is read here.
 *
 * Precedence of the retrieval settings of one (asset, channel), highest first (§B):
 *   1. per-asset configuration: a Hyperliquid block of the data stream whose `symbol` is the asset;
 *   2. asset/group profile assignment: `assetOverrides[asset].profile`, else `groupProfiles[subcategory]`,
 *      else `groupProfiles[category]`;
 *   3. the data stream's default `profile`;
 *   4. the built-in profile definition, edited by `profileDefinitions[profile]` (lookback, granularity).
 * A block naming another symbol is a cross-asset read (`contextSymbol` ≠ `symbol`). Entries whose
 * source is disabled in `sourcePolicy`, whose subject is unknown, or whose channel the subject
 * does not support (funding on spot) are skipped before retrieval, each with its reason.
 */

import type { AssetUniverse, SelectionSource } from '../clones/graph/asset-universe.ts';
import type { CompiledStrategy } from '../clones/graph/compile.ts';
import type { GraphNode, StrategyGraph } from '../clones/graph/schema.ts';
import {
  BUILT_IN_PROFILES,
  datapointsOf,
  type Granularity,
  type HyperliquidChannel,
  LOOKBACK_MS,
  type Lookback,
  MINUTE_ROWS_KEPT_MS,
  type ProfileName,
} from './profiles.ts';

/** What the registry says of a symbol; `undefined` for a symbol it does not know. */
export interface RegistryEntry {
  readonly kind: 'perp' | 'spot';
  readonly enabled: boolean;
}
export type RegistryLookup = (symbol: string) => RegistryEntry | undefined;

export type SettingLevel = 'per_asset_block' | 'asset_profile' | 'group_profile' | 'stream_profile';

/** One read of a plan. `contextSymbol` is the memory subject: a Hyperliquid symbol, `defillama:<kind>:<id>` or `polymarket:<kind>:<slug>`. */
export type ReadEntry =
  | {
      readonly id: string;
      readonly source: 'hyperliquid';
      readonly channel: HyperliquidChannel;
      readonly contextSymbol: string;
      readonly lookback: Lookback;
      readonly granularity: Granularity;
      readonly maxDatapoints: number;
      readonly includeInPrompt: boolean;
      /** Where the lookback and granularity came from, and the profile when a profile gave them. */
      readonly setBy: SettingLevel;
      readonly profile: ProfileName | null;
    }
  | {
      readonly id: string;
      readonly source: 'defillama';
      readonly channel: string;
      readonly contextSymbol: string;
      readonly lookback: Lookback;
      readonly maxDatapoints: number;
      readonly includeInPrompt: boolean;
    }
  | {
      readonly id: string;
      readonly source: 'polymarket';
      readonly contextSymbol: string;
      readonly maxDatapoints: number;
      readonly includeInPrompt: boolean;
    };

export type SkipReason = 'source_disabled' | 'unknown_asset' | 'channel_unsupported_on_spot' | 'minute_rows_kept_24h';

export interface SkippedRead {
  readonly id: string;
  readonly reason: SkipReason;
  readonly message: string;
}

export interface AssetReadPlan {
  readonly symbol: string;
  readonly reads: readonly ReadEntry[];
  readonly skipped: readonly SkippedRead[];
  /** Rows the plan may put in a packet: the sum of its reads' caps. */
  readonly maxDatapoints: number;
  /** Estimated prompt tokens the plan's rows and the fixed prompt parts need (`promptBudgetOf`). */
  readonly promptBudgetTokens: number;
}

export interface UniverseEntry {
  readonly symbol: string;
  readonly source: SelectionSource;
  readonly category: string;
  readonly subcategory: string;
  /** The registry's kind, null for a symbol it does not know. */
  readonly kind: 'perp' | 'spot' | null;
  /** Known and enabled in the registry: a decision may trade it. */
  readonly tradable: boolean;
  /** Funding and contexts exist for it (perps only). */
  readonly fundingContext: boolean;
}

export interface BranchPlan {
  readonly promptNodeId: string;
  readonly universe: readonly UniverseEntry[];
  readonly plans: readonly AssetReadPlan[];
}

/** Tokens of the fixed prompt parts (system, contract, risk rules, behavior) and per table row; the estimate is characters / 4. */
export const FIXED_PROMPT_TOKENS = 1500;
export const TOKENS_PER_ROW = 16;

/** The budget of a plan: fixed parts plus `TOKENS_PER_ROW` for every row its prompt-included reads may yield. */
function promptBudgetOf(reads: readonly ReadEntry[]): number {
  return FIXED_PROMPT_TOKENS + reads.filter((r) => r.includeInPrompt).reduce((s, r) => s + r.maxDatapoints * TOKENS_PER_ROW, 0);
}

type DataStream = Extract<GraphNode, { type: 'data_stream' }>;

/** The read plans of every branch of a compiled strategy, branches and assets in sorted order. */
export function compileReadPlans(
  graph: StrategyGraph,
  compiled: CompiledStrategy,
  universe: AssetUniverse,
  registry: RegistryLookup,
): BranchPlan[] {
  const streams = new Map(graph.nodes.filter((n): n is DataStream => n.type === 'data_stream').map((n) => [n.id, n]));
  const taxonomy = new Map(universe.assets.map((a) => [a.symbol, a]));
  return compiled.branches.map((branch) => {
    const sources = new Map<string, SelectionSource>();
    for (const id of branch.assetSelectionNodeIds) {
      for (const s of compiled.selections[id] ?? []) if (!sources.has(s.symbol) || s.source === 'explicit') sources.set(s.symbol, s.source);
    }
    const universeEntries = branch.symbols.map((symbol): UniverseEntry => {
      const t = taxonomy.get(symbol);
      const r = registry(symbol);
      return {
        symbol,
        source: sources.get(symbol) ?? 'explicit',
        category: t?.category ?? 'uncategorized',
        subcategory: t?.subcategory ?? 'uncategorized',
        kind: r?.kind ?? null,
        tradable: r?.enabled === true,
        fundingContext: r?.kind === 'perp',
      };
    });
    const ds = branch.dataStreamNodeIds.map((id) => streams.get(id)).filter((n): n is DataStream => n !== undefined);
    const plans = universeEntries.map((u) => planOf(u, ds, registry));
    return { promptNodeId: branch.promptNodeId, universe: universeEntries, plans };
  });
}

function planOf(asset: UniverseEntry, streams: readonly DataStream[], registry: RegistryLookup): AssetReadPlan {
  const reads = new Map<string, ReadEntry>();
  const skipped = new Map<string, SkippedRead>();
  const skip = (id: string, reason: SkipReason, message: string) => {
    if (!reads.has(id)) skipped.set(id, { id, reason, message });
  };
  const put = (entry: ReadEntry) => {
    skipped.delete(entry.id);
    reads.set(entry.id, entry);
  };
  const hyperliquid = (
    stream: DataStream,
    channel: HyperliquidChannel,
    contextSymbol: string,
    setting: { lookback: Lookback; granularity: Granularity; cap: number; setBy: SettingLevel; profile: ProfileName | null },
    includeInPrompt: boolean,
  ) => {
    const id = `hyperliquid.${channel}.${contextSymbol}`;
    const policy = stream.config.sourcePolicy.hyperliquid;
    const subject = registry(contextSymbol);
    if (!policy.enabled) return skip(id, 'source_disabled', `Hyperliquid is disabled in data stream ${stream.id}`);
    if (!subject) return skip(id, 'unknown_asset', `${contextSymbol} is not in the Hyperliquid registry`);
    if (channel === 'funding_rates' && subject.kind === 'spot') {
      return skip(id, 'channel_unsupported_on_spot', `${contextSymbol} is a spot asset: funding rates exist for perps only`);
    }
    if (setting.granularity === '1m' && LOOKBACK_MS[setting.lookback] > MINUTE_ROWS_KEPT_MS) {
      return skip(id, 'minute_rows_kept_24h', `1-minute rows are kept 24 hours; ${setting.lookback} at 1m cannot be read`);
    }
    put({
      id,
      source: 'hyperliquid',
      channel,
      contextSymbol,
      lookback: setting.lookback,
      granularity: setting.granularity,
      maxDatapoints: datapointsOf(setting.lookback, setting.granularity, setting.cap),
      includeInPrompt: includeInPrompt && policy.includeInPrompt,
      setBy: setting.setBy,
      profile: setting.profile,
    });
  };

  const definitionOf = (stream: DataStream) => {
    const c = stream.config;
    const assigned = c.assetOverrides?.[asset.symbol]?.profile;
    const grouped = c.groupProfiles?.[asset.subcategory]?.profile ?? c.groupProfiles?.[asset.category]?.profile;
    const profile: ProfileName = assigned ?? grouped ?? c.profile;
    const setBy: SettingLevel = assigned ? 'asset_profile' : grouped ? 'group_profile' : 'stream_profile';
    return { ...BUILT_IN_PROFILES[profile], ...c.profileDefinitions?.[profile], profile, setBy };
  };
  // Profiles first, then every stream's blocks, so a per-asset block wins over any stream's profile.
  for (const stream of streams) {
    const d = definitionOf(stream);
    for (const channel of d.channels) hyperliquid(stream, channel, asset.symbol, { ...d, cap: d.maxDatapointsPerChannel }, true);
  }
  for (const stream of streams) {
    const c = stream.config;
    const cap = definitionOf(stream).maxDatapointsPerChannel;
    for (const block of c.blocks) {
      if (block.source === 'hyperliquid') {
        const setting = { lookback: block.lookback, granularity: block.granularity, cap, setBy: 'per_asset_block' as const, profile: null };
        hyperliquid(stream, block.channel, block.symbol, setting, block.includeInPrompt);
      } else if (block.source === 'defillama') {
        const contextSymbol = `defillama:${block.scope.kind}:${block.scope.id ?? 'all'}`;
        const id = `defillama.${block.channel}.${contextSymbol}`;
        if (!c.sourcePolicy.defillama.enabled) skip(id, 'source_disabled', `DefiLlama is disabled in data stream ${stream.id}`);
        else {
          const maxDatapoints = Math.max(1, Math.floor(LOOKBACK_MS[block.lookback] / LOOKBACK_MS['24h']));
          const includeInPrompt = block.includeInPrompt && c.sourcePolicy.defillama.includeInPrompt;
          put({ id, source: 'defillama', channel: block.channel, contextSymbol, lookback: block.lookback, maxDatapoints, includeInPrompt });
        }
      } else {
        const contextSymbol = `polymarket:${block.target.kind}:${block.target.slug}`;
        const id = `polymarket.${contextSymbol}`;
        const includeInPrompt = block.includeInPrompt && c.sourcePolicy.polymarket.includeInPrompt;
        if (!c.sourcePolicy.polymarket.enabled) skip(id, 'source_disabled', `Polymarket is disabled in data stream ${stream.id}`);
        else put({ id, source: 'polymarket', contextSymbol, maxDatapoints: 2, includeInPrompt });
      }
    }
  }
  const sortedReads = [...reads.values()].sort((a, b) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
  const sortedSkipped = [...skipped.values()].sort((a, b) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
  return {
    symbol: asset.symbol,
    reads: sortedReads,
    skipped: sortedSkipped,
    maxDatapoints: sortedReads.reduce((s, r) => s + r.maxDatapoints, 0),
    promptBudgetTokens: promptBudgetOf(sortedReads),
  };
}
