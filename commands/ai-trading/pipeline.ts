/**
 * The pipeline preview (`000_…` §4) and the Latest Data drawer (`000_…` §2): compile a strategy
 * (a version's graph or the draft) under the clone's entitlement, plan every branch's reads,
 * select each branch's candidates at T, and build one asset's packet and prompt exactly as a
 * decision run at T would. Entitlement guardrails (asset capacity on the expanded set, model
 * strength) are the compiler's: a strategy over them is refused with `422 graph_invalid`.
 */
import { canonicalJson, sha256Hex } from '../../core/canonical-json.ts';
import { DomainError } from '../../core/errors.ts';
import type { AssetUniverse } from '../clones/graph/asset-universe.ts';
import { type CompileOptions, compileGraph, graphInvalid } from '../clones/graph/compile.ts';
import type { GraphLayout, GraphNode, StrategyGraph } from '../clones/graph/schema.ts';
import { type CandidateSelection, DEFAULT_PREFILTERS, type Prefilters, selectCandidates } from './candidates.ts';
import { type DecisionContext, decisionContextOf } from './context.ts';
import type { PacketSection } from './packet.ts';
import { readPacketData } from './packet.ts';
import type { AccountAsOf, MarketAsOf } from './ports.ts';
import { coversAsset } from './prompt.ts';
import { type BranchPlan, compileReadPlans, type ReadEntry, type RegistryLookup } from './read-plan.ts';

export interface PipelineStrategy {
  readonly cloneId: string;
  /** The version's id, or `draft`. */
  readonly strategyVersionId: string;
  readonly graph: StrategyGraph;
  readonly layout: GraphLayout;
  readonly modelTier: CompileOptions['modelTier'];
  readonly limits: CompileOptions['limits'];
  readonly universe: AssetUniverse;
}

export interface PipelineReaders {
  readonly market: MarketAsOf;
  readonly registry: RegistryLookup;
  readonly accounts: AccountAsOf;
}

export interface BranchPreview extends BranchPlan, CandidateSelection {}

export interface PipelinePreview {
  readonly strategyVersionId: string;
  readonly graphDigest: string;
  readonly decisionTime: string;
  readonly branches: readonly BranchPreview[];
  /** The chosen asset's packet and prompt; null when no asset was asked for. */
  readonly context: DecisionContext | null;
}

type TradingPrompt = Extract<GraphNode, { type: 'trading_prompt' }>;

/** Compiles `s` (throws `graph_invalid` over the entitlement) and plans its reads. */
export function planStrategy(s: PipelineStrategy, registry: RegistryLookup): { branches: BranchPlan[]; graphDigest: string } {
  const r = compileGraph(s.graph, s.layout, { limits: s.limits, modelTier: s.modelTier, requirePrompt: false, universe: s.universe });
  if (!r.ok) throw graphInvalid(r.problems);
  return { branches: compileReadPlans(s.graph, r.compiled, s.universe, registry), graphDigest: sha256Hex(canonicalJson(s.graph)) };
}

/**
 * The preview at `at` (ms); `asset` (optionally on the branch `promptNodeId`) gets its packet and
 * prompt. Held assets (`options.held`, else the positions of the clone's account as of `at`) are
 * candidates of every branch whose universe has them.
 */
export function pipelinePreview(
  s: PipelineStrategy,
  readers: PipelineReaders,
  at: number,
  options: {
    readonly asset?: string;
    readonly promptNodeId?: string;
    readonly held?: readonly string[];
    readonly prefilters?: Prefilters;
  } = {},
): PipelinePreview {
  const { branches, graphDigest } = planStrategy(s, readers.registry);
  const prompts = new Map(s.graph.nodes.filter((n): n is TradingPrompt => n.type === 'trading_prompt').map((n) => [n.id, n.config]));
  const heldAll = options.held ?? readers.accounts.account(s.cloneId, at)?.positions.map((p) => p.asset) ?? [];
  const previews = branches.map((b): BranchPreview => {
    const config = prompts.get(b.promptNodeId);
    const covered = b.universe.filter((u) => config && coversAsset(config, u.symbol));
    const held = heldAll.filter((h) => b.universe.some((u) => u.symbol === h));
    const cap = config?.candidatePolicy.maxCandidates ?? 0;
    const selection = selectCandidates(
      covered,
      held,
      (symbol) => readers.market.facts(symbol, at),
      options.prefilters ?? DEFAULT_PREFILTERS,
      cap,
      at,
    );
    return { ...b, ...selection };
  });
  let context: DecisionContext | null = null;
  if (options.asset !== undefined) {
    const branch = branches.find(
      (b) =>
        (options.promptNodeId === undefined || b.promptNodeId === options.promptNodeId) && b.plans.some((p) => p.symbol === options.asset),
    );
    const plan = branch?.plans.find((p) => p.symbol === options.asset);
    const config = branch && prompts.get(branch.promptNodeId);
    if (!branch || !plan || !config)
      throw new DomainError('asset_not_in_strategy', 'not_found', `no branch of the strategy trades ${options.asset}`);
    const subject = { cloneId: s.cloneId, strategyVersionId: s.strategyVersionId, graphDigest, promptNodeId: branch.promptNodeId };
    context = decisionContextOf(subject, plan, config, at, readers.market, readers.accounts);
  }
  return { strategyVersionId: s.strategyVersionId, graphDigest, decisionTime: new Date(at).toISOString(), branches: previews, context };
}

/** The rows of one read (`block`, a read id such as `hyperliquid.ohlcv.BTC`) of `asset`'s plan at `at` (ms), as the packet would hold them. */
export function latestData(
  s: PipelineStrategy,
  readers: PipelineReaders,
  asset: string,
  block: string,
  at: number,
): { read: ReadEntry; section: PacketSection } {
  const { branches, graphDigest } = planStrategy(s, readers.registry);
  const plan = branches
    .flatMap((b) => b.plans)
    .find((p) => p.symbol === asset && (p.reads.some((r) => r.id === block) || p.skipped.some((k) => k.id === block)));
  if (!plan) throw new DomainError('block_not_found', 'not_found', `no read ${block} in the plan of ${asset}`, { asset, block });
  const skipped = plan.skipped.find((k) => k.id === block);
  if (skipped) throw new DomainError('block_skipped', 'unprocessable', skipped.message, { block, reason: skipped.reason });
  const read = plan.reads.find((r) => r.id === block) as ReadEntry;
  const subject = { cloneId: s.cloneId, strategyVersionId: s.strategyVersionId, graphDigest, promptNodeId: '' };
  const data = readPacketData(subject, { ...plan, reads: [read] }, at, readers.market, { account: () => null });
  return { read, section: data.sections[0] as PacketSection };
}
