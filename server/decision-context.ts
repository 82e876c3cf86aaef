/**
 * The decision runtime's `DecisionContextSource` (commands/decisions/ports.ts) over the issue-12
 * compiler: for a due unit (prop account, clone, asset, due time) it compiles the strategy
 * version the account trades for that asset as of the due time and returns the run's context —
 * the packet and prompt v1 exactly as the pipeline preview builds them, the candidates of the
 * asset's branch (held assets included), the asset's leverage caps, the gates' headroom, equity,
 * the last price, the latest indicators and the position (doc/ai-trading.md, "The context source").
 *
 * Choices (the issue is silent): the version is the account's `strategyVersionId` (what the
 * audition or race was entered with), not a later one; the model strength is the version's model
 * tier (entitlement is enforced once, before the context is compiled: the worker's guard,
 * `commands/decisions/guards.ts`, skips a unit whose tier is above it); the confidence threshold is
 * the branch's trading prompt's (`confidenceThresholdOf`).
 */
import { MarketMemory } from '../adapters/market/market-memory.ts';
import type { AssetInfo } from '../adapters/market/price-source.ts';
import { PRICE } from '../adapters/market/units.ts';
import type { IndicatorSnapshot } from '../adapters/models/engine.ts';
import { type PipelinePreview, type PipelineStrategy, pipelinePreview } from '../commands/ai-trading/pipeline.ts';
import type { MarketAsOf } from '../commands/ai-trading/ports.ts';
import type { DecisionContextSource, DueUnit, RunContext } from '../commands/decisions/ports.ts';
import { confidenceThresholdOf } from '../commands/decisions/validate.ts';
import { tiers } from '../commands/entitlements/tiers.ts';
import { actionHeadroomMicroUsd } from '../commands/prop-trading/headroom.ts';
import type { Rules } from '../commands/prop-trading/rules.ts';
import { parseCanonicalJson } from '../core/canonical-json.ts';
import type { Db } from '../core/database.ts';
import { ClashError } from '../core/errors.ts';
import { formatDecimal } from '../core/money.ts';
import { versionById } from '../projections/clones/versions.ts';
import { activeLimitsOf } from '../projections/entitlements/entitlements.ts';
import type { AccountRow } from '../projections/prop-trading/accounts.ts';
import { PropTradingQueries } from '../projections/prop-trading/queries.ts';
import { pipelineReadersOf } from './ai-trading.ts';
import type { Config } from './config.ts';
import { propAccountSections } from './prop-account-section.ts';

/** The latest indicator row is looked for this far back from the due time (ms): the candidate policy's freshness. */
const INDICATOR_WINDOW_MS = 300_000;

/** The engines' indicator snapshot at `at`: the latest row of the last `INDICATOR_WINDOW_MS`, or null (live runs and backtests alike). */
export function latestIndicators(market: MarketAsOf, asset: string, at: number): IndicatorSnapshot | null {
  const row = market.indicators(asset, at - INDICATOR_WINDOW_MS, at).at(-1);
  return row ? { ema20: row.ema20, rsi14: row.rsi14, macd: row.macd, macdSignal: row.macdSignal, macdHistogram: row.macdHistogram } : null;
}

/**
 * The context source over one ledger database (market memory, read models and the taxonomy file).
 * Errors (recorded as the run's failure): `account_not_found` (404), `account_not_running` (409),
 * `version_not_found` (404), `graph_invalid` (422, the compiler's, e.g. over the owner's asset
 * capacity), `asset_not_in_strategy` (404), `no_price` (422: no quote of the asset at the due time).
 */
export function decisionContextSource(db: Db, config: Pick<Config, 'CLASH_TAXONOMY_FILE'>): DecisionContextSource {
  const readers = pipelineReadersOf(db, config);
  const sections = propAccountSections(db);
  const memory = new MarketMemory(db);
  const queries = new PropTradingQueries(db);
  return {
    async compile(unit: DueUnit): Promise<RunContext> {
      const { propAccountId, asset, dueAt } = unit;
      const row = queries.account(propAccountId);
      if (!row) throw new ClashError('account_not_found', 'not_found', `no prop account ${propAccountId}`);
      const account = sections.section(propAccountId, dueAt);
      if (!account || !['new', 'active', 'frozen'].includes(account.status)) {
        throw new ClashError('account_not_running', 'conflict', `prop account ${propAccountId} is ${row.status} at ${dueAt}`);
      }
      const strategy = accountStrategyOf(db, readers, row);
      const modelStrength = strategy.modelTier;
      const preview = pipelinePreview(strategy, { ...readers, accounts: { account: () => account } }, dueAt, {
        asset,
      });
      const context = preview.context as NonNullable<typeof preview.context>;
      const quote = memory.priceAt(asset, dueAt);
      if (!quote) throw new ClashError('no_price', 'unprocessable', `no price of ${asset} at or before ${new Date(dueAt).toISOString()}`);
      const info = memory.asset(asset);
      const tierMaxLeverage = (parseCanonicalJson(row.rules) as Rules).maxLeverage;
      const assetMaxLeverage = info?.maxLeverage ?? 1;
      const position = account.positions.find((p) => p.asset === asset) ?? null;
      return {
        packet: context.packet,
        promptTemplateVersion: context.prompt.templateVersion,
        system: context.prompt.system,
        prompt: context.prompt.user,
        modelStrength,
        ...branchFactsOf(strategy, preview, context.packet.promptNodeId, asset, info),
        tierMaxLeverage,
        assetMaxLeverage,
        headroomMicroUsd: actionHeadroomMicroUsd(account.headroomMicroUsd, asset, Math.min(tierMaxLeverage, assetMaxLeverage)),
        equityMicroUsd: BigInt(account.equityMicroUsd),
        lastPrice: formatDecimal(quote.price, PRICE),
        indicators: latestIndicators(readers.market, asset, dueAt),
        position: position && { side: position.side, entryPrice: position.entryPrice },
      };
    },
  };
}

/**
 * The strategy a prop account trades, for the pipeline: its `strategyVersionId` (what it was
 * entered with), compiled under the clone's active limits (Starter without an entitlement).
 * Errors: `version_not_found` (404) when the version is missing or another clone's.
 */
export function accountStrategyOf(
  db: Db,
  readers: { universe: () => PipelineStrategy['universe'] },
  row: Pick<AccountRow, 'clone_id' | 'strategy_version_id'>,
): PipelineStrategy {
  const version = versionById(db, row.strategy_version_id);
  if (!version || version.cloneId !== row.clone_id) {
    throw new ClashError('version_not_found', 'not_found', `no published version ${row.strategy_version_id} of clone ${row.clone_id}`);
  }
  return {
    cloneId: row.clone_id,
    strategyVersionId: version.versionId,
    graph: version.graph,
    layout: {},
    modelTier: version.modelTier,
    limits: activeLimitsOf(db, row.clone_id) ?? tiers.starter,
    universe: readers.universe(),
  };
}

/**
 * What validation reads of a run's branch at T, live runs and live-window re-runs alike: the
 * candidates of the branch `promptNodeId` (held assets included), whether `asset` is enabled —
 * enabled in the registry and tradable in the branch's universe — and the confidence threshold
 * of its trading prompt (`confidenceThresholdOf`).
 */
export function branchFactsOf(
  strategy: Pick<PipelineStrategy, 'graph'>,
  preview: PipelinePreview,
  promptNodeId: string,
  asset: string,
  info: AssetInfo | undefined,
): { candidates: string[]; assetEnabled: boolean; confidenceThreshold: number } {
  const branch = preview.branches.find((b) => b.promptNodeId === promptNodeId);
  const prompt = strategy.graph.nodes.find((n) => n.id === promptNodeId);
  return {
    candidates: (branch?.candidates ?? []).map((c) => c.symbol),
    assetEnabled: Boolean(info?.enabled && branch?.universe.find((u) => u.symbol === asset)?.tradable),
    confidenceThreshold: confidenceThresholdOf(prompt?.type === 'trading_prompt' ? prompt.config : {}),
  };
}
