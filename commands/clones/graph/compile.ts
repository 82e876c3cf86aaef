/**
 * The strategy graph compiler. It checks the rules the schema cannot express and, when they
 * hold, returns the branches a runtime executes: each trading prompt with the asset selections
 * that feed it and the data streams that feed those. Every problem names its node (null for
 * rules about the whole graph) and its rule; all problems are reported at once.
 */
import { DomainError } from '../../../core/errors.ts';
import { type ModelStrength, strengthRank, type TierLimits } from '../../entitlements/tiers.ts';
import { type AssetUniverse, emptyUniverse, expandSelection, type SelectedSymbol } from './asset-universe.ts';
import type { GraphLayout, GraphNode, NodeType, StrategyGraph } from './schema.ts';

export interface GraphProblem {
  readonly nodeId: string | null;
  readonly rule: string;
  readonly message: string;
}

export interface StrategyBranch {
  readonly promptNodeId: string;
  readonly assetSelectionNodeIds: readonly string[];
  readonly dataStreamNodeIds: readonly string[];
  readonly symbols: readonly string[];
}

export interface CompiledStrategy {
  readonly branches: readonly StrategyBranch[];
  /** Distinct symbols of every expanded asset selection: what counts against asset capacity. */
  readonly activeSymbols: readonly string[];
  /** Each asset selection node's expanded symbols with their selection source. */
  readonly selections: Readonly<Record<string, readonly SelectedSymbol[]>>;
}

export interface CompileOptions {
  readonly limits: Pick<TierLimits, 'activeAssets' | 'modelStrength'>;
  readonly modelTier: ModelStrength;
  /** Publishing needs at least one enabled trading prompt; a draft may be unfinished. */
  readonly requirePrompt: boolean;
  /** What categories and subcategories expand to (default: nothing, so only explicit symbols count). */
  readonly universe?: AssetUniverse;
}

export type CompileResult = { ok: true; compiled: CompiledStrategy } | { ok: false; problems: readonly GraphProblem[] };

/** The refusal of a graph that does not compile: `422 graph_invalid` with every problem in `details.problems`. */
export function graphInvalid(problems: readonly GraphProblem[]): DomainError {
  const first = problems[0];
  return new DomainError('graph_invalid', 'unprocessable', `${first?.rule} at ${first?.nodeId ?? 'graph'}: ${first?.message}`, {
    problems,
  });
}

const ALLOWED: ReadonlySet<string> = new Set(['data_stream->asset_selection', 'asset_selection->trading_prompt']);

export function compileGraph(graph: StrategyGraph, layout: GraphLayout, options: CompileOptions): CompileResult {
  const problems: GraphProblem[] = [];
  const problem = (nodeId: string | null, rule: string, message: string) => problems.push({ nodeId, rule, message });
  const byId = new Map<string, GraphNode>();
  for (const node of graph.nodes) {
    if (byId.has(node.id)) problem(node.id, 'duplicate_node_id', `node id ${node.id} is used twice`);
    else byId.set(node.id, node);
  }

  const edges = new Set<string>();
  const into = new Map<string, string[]>();
  const outOf = new Map<string, string[]>();
  for (const { source, target } of graph.edges) {
    const from = byId.get(source);
    const to = byId.get(target);
    if (!from || !to) {
      problem(from ? target : source, 'edge_unknown_node', `an edge ${source} -> ${target} names a node that does not exist`);
      continue;
    }
    if (edges.has(`${source}->${target}`)) problem(source, 'duplicate_edge', `the edge ${source} -> ${target} appears twice`);
    edges.add(`${source}->${target}`);
    if (!ALLOWED.has(`${from.type}->${to.type}`)) {
      problem(
        source,
        'edge_not_allowed',
        `${from.type} -> ${to.type} is not allowed (only data_stream -> asset_selection -> trading_prompt)`,
      );
    }
    into.set(target, [...(into.get(target) ?? []), source]);
    outOf.set(source, [...(outOf.get(source) ?? []), target]);
  }
  const cyclic = nodesOnCycles(byId, outOf);
  if (cyclic.length > 0)
    problem(cyclic[0] as string, 'cycle', `the graph has a cycle; these nodes cannot be ordered: ${cyclic.join(', ')}`);

  const ofType = (ids: readonly string[] | undefined, type: NodeType) => (ids ?? []).filter((id) => byId.get(id)?.type === type);
  for (const node of byId.values()) {
    const { id } = node;
    if (node.type === 'trading_prompt') {
      if (ofType(into.get(id), 'asset_selection').length === 0) {
        problem(id, 'prompt_unreachable', `trading prompt ${id} is not fed by any asset selection`);
      }
      if (node.config.coverageMode === 'asset_specific_only' && Object.keys(node.config.assetOverrides).length === 0) {
        problem(id, 'coverage_needs_overrides', `trading prompt ${id} covers asset-specific prompts only but has none`);
      }
    }
    if (node.type === 'data_stream' && ofType(outOf.get(id), 'asset_selection').length === 0) {
      problem(id, 'dangling_node', `data stream ${id} feeds no asset selection`);
    }
    if (node.type === 'asset_selection' && ofType(outOf.get(id), 'trading_prompt').length === 0) {
      problem(id, 'dangling_node', `asset selection ${id} feeds no trading prompt`);
    }
  }

  for (const id of layout.strategyClone?.connectedPromptNodeIds ?? []) {
    if (byId.get(id)?.type !== 'trading_prompt')
      problem(id, 'layout_unknown_prompt', `the layout connects ${id}, which is not a trading prompt`);
  }

  const selections: Record<string, SelectedSymbol[]> = {};
  for (const node of byId.values()) {
    if (node.type === 'asset_selection') selections[node.id] = expandSelection(node.config, options.universe ?? emptyUniverse);
  }
  const symbolsOf = (id: string) => (selections[id] ?? []).map((s) => s.symbol);
  const active = new Set<string>();
  for (const node of byId.values()) {
    if (node.type !== 'asset_selection') continue;
    for (const s of symbolsOf(node.id)) active.add(s);
    if (active.size > options.limits.activeAssets) {
      problem(
        node.id,
        'asset_capacity_exceeded',
        `${active.size} active assets by asset selection ${node.id}; the entitlement allows ${options.limits.activeAssets}`,
      );
      break;
    }
  }
  if (strengthRank(options.modelTier) > strengthRank(options.limits.modelStrength)) {
    problem(null, 'model_strength_exceeded', `model tier ${options.modelTier} is above the entitlement's ${options.limits.modelStrength}`);
  }

  const prompts = [...byId.values()].filter((n) => n.type === 'trading_prompt');
  if (options.requirePrompt && !prompts.some((n) => n.type === 'trading_prompt' && n.config.enabled)) {
    problem(null, 'no_trading_prompt', 'a published strategy needs at least one enabled trading prompt');
  }
  if (problems.length > 0) return { ok: false, problems };

  const branches = prompts.map((prompt) => {
    const assetSelectionNodeIds = ofType(into.get(prompt.id), 'asset_selection').sort();
    const dataStreamNodeIds = [...new Set(assetSelectionNodeIds.flatMap((a) => ofType(into.get(a), 'data_stream')))].sort();
    const symbols = [...new Set(assetSelectionNodeIds.flatMap(symbolsOf))].sort();
    return { promptNodeId: prompt.id, assetSelectionNodeIds, dataStreamNodeIds, symbols };
  });
  return { ok: true, compiled: { branches, activeSymbols: [...active].sort(), selections } };
}

/** Nodes that cannot be put in order (on a cycle or downstream of one), by Kahn's algorithm, sorted. */
function nodesOnCycles(nodes: ReadonlyMap<string, GraphNode>, outOf: ReadonlyMap<string, readonly string[]>): string[] {
  const indegree = new Map<string, number>([...nodes.keys()].map((id) => [id, 0]));
  for (const targets of outOf.values()) for (const t of targets) indegree.set(t, (indegree.get(t) ?? 0) + 1);
  const ready = [...indegree].filter(([, d]) => d === 0).map(([id]) => id);
  while (ready.length > 0) {
    const id = ready.pop() as string;
    indegree.delete(id);
    for (const t of outOf.get(id) ?? []) {
      const d = (indegree.get(t) ?? 0) - 1;
      indegree.set(t, d);
      if (d === 0) ready.push(t);
    }
  }
  return [...indegree.keys()].sort();
}
