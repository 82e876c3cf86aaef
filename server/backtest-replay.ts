/**
 * Wiring of the backtest replay's ports (`commands/backtests/ports.ts`) over one database:
 * market memory as the replay's prices, funding and registry, and the decision-context compiler
 * of AI Trading (`decisionContextOf`, the same packet and prompt a live run builds) as of T for
 * the strategy being replayed, with the backtest's own account as the packet's account section.
 * Each context source reads candles and indicators through its own sliding windows
 * (`sliding-market.ts`): one source per replay, whose T only moves forward.
 */
import { MarketMemory } from '../adapters/market/market-memory.ts';
import { PRICE } from '../adapters/market/units.ts';
import { decisionContextOf } from '../commands/ai-trading/context.ts';
import { type PipelineStrategy, planStrategy } from '../commands/ai-trading/pipeline.ts';
import type { MarketAsOf } from '../commands/ai-trading/ports.ts';
import type { RegistryLookup } from '../commands/ai-trading/read-plan.ts';
import type { ReplayContextSource, ReplayMarket } from '../commands/backtests/ports.ts';
import type { GraphNode } from '../commands/clones/graph/schema.ts';
import { confidenceThresholdOf } from '../commands/decisions/validate.ts';
import type { Db } from '../core/database.ts';
import { DomainError } from '../core/errors.ts';
import { formatDecimal } from '../core/money.ts';
import { latestIndicators } from './decision-context.ts';
import { slidingMarket } from './sliding-market.ts';

/** Prices, funding and the registry from market memory (ingested, imported or restored). */
export const replayMarketOf = (db: Db): ReplayMarket => new MarketMemory(db);

type TradingPrompt = Extract<GraphNode, { type: 'trading_prompt' }>;

/**
 * The context source of one strategy: the graph is compiled and planned once (throws
 * `graph_invalid` over the clone's entitlement), then each call builds the packet and prompt of
 * the asset's plan at T. Errors: `asset_not_in_strategy` (404) when no branch trades the asset.
 */
export function replayContextOf(
  strategy: PipelineStrategy,
  memory: MarketAsOf & { registry: RegistryLookup },
  priceOf: ReplayMarket,
): ReplayContextSource {
  const market = slidingMarket(memory);
  const { branches, graphDigest } = planStrategy(strategy, market.registry);
  const prompts = new Map(strategy.graph.nodes.filter((n): n is TradingPrompt => n.type === 'trading_prompt').map((n) => [n.id, n.config]));
  const planOf = (asset: string) => {
    for (const b of branches) {
      const plan = b.plans.find((p) => p.symbol === asset);
      const config = prompts.get(b.promptNodeId);
      if (plan && config) return { branch: b, plan, config };
    }
    throw new DomainError('asset_not_in_strategy', 'not_found', `no branch of the strategy trades ${asset}`, { asset });
  };
  return {
    compile(asset, at, account) {
      const { branch, plan, config } = planOf(asset);
      const subject = {
        cloneId: strategy.cloneId,
        strategyVersionId: strategy.strategyVersionId,
        graphDigest,
        promptNodeId: branch.promptNodeId,
      };
      const ctx = decisionContextOf(subject, plan, config, at, market, { account: () => account });
      const quote = priceOf.priceAt(asset, at);
      return {
        packet: ctx.packet,
        promptTemplateVersion: ctx.prompt.templateVersion,
        system: ctx.prompt.system,
        prompt: ctx.prompt.user,
        modelStrength: strategy.modelTier,
        lastPrice: quote ? formatDecimal(quote.price, PRICE) : null,
        indicators: latestIndicators(market, asset, at),
        confidenceThreshold: confidenceThresholdOf(config),
      };
    },
  };
}
