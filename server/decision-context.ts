/**
 * The decision context of a due unit (`DecisionContextSource`, `commands/decisions/ports.ts`)
 * over the issue-12 pipeline and the prop read models: the packet and prompt of the unit's asset
 * at its due time (`pipelinePreview`), and the figures validation and the engines need — equity,
 * the position, the last 1m price and the latest indicator row at or before the due time, the
 * account's and the asset's leverage caps, and the gates' headroom (`gateHeadroomMicroUsd`).
 *
 * The packet's account section is left empty here (as in previews): `decision-wiring` wires it to
 * the prop read models. Errors: `context_unavailable` (503) when the account, its strategy or
 * a price at the due time is missing — the run fails and the worker retries it.
 */
import { DerivedSeries } from '../adapters/market/derived/derived-series.ts';
import { MarketMemory } from '../adapters/market/market-memory.ts';
import { PRICE } from '../adapters/market/units.ts';
import { pipelinePreview } from '../commands/ai-trading/pipeline.ts';
import type { DecisionContextSource, RunContext } from '../commands/decisions/ports.ts';
import { gateHeadroomMicroUsd } from '../commands/decisions/validate.ts';
import type { Rules } from '../commands/prop-trading/rules.ts';
import { parseCanonicalJson } from '../core/canonical-json.ts';
import type { Db } from '../core/database.ts';
import { ClashError } from '../core/errors.ts';
import { formatDecimal, maxBigint } from '../core/money.ts';
import { pipelineReadersOf } from './ai-trading.ts';
import type { Config } from './config.ts';
import { strategyOf, versionById } from './decision-accounts.ts';

const unavailable = (message: string, details: Record<string, unknown>) =>
  new ClashError('context_unavailable', 'unavailable', message, details);

/** The context source over `db`; `minConfidence` is the confidence threshold of every strategy (`DECISION_MIN_CONFIDENCE`). */
export function decisionContextOf(db: Db, config: Pick<Config, 'CLASH_TAXONOMY_FILE'>, minConfidence: number): DecisionContextSource {
  const readers = pipelineReadersOf(db, config);
  const version = versionById(db);
  const memory = new MarketMemory(db);
  const derived = new DerivedSeries(db);
  const sql = {
    account: db.prepare<[string], { versionId: string; equity: string; marginUsed: string; rules: string }>(
      'SELECT strategy_version_id AS versionId, equity, margin_used AS marginUsed, rules FROM prop_accounts WHERE account_id = ?',
    ),
    positions: db.prepare<[string], { asset: string; side: 'long' | 'short'; entryPrice: string; notional: string }>(
      'SELECT asset, side, entry_price AS entryPrice, notional FROM prop_positions WHERE account_id = ? ORDER BY asset',
    ),
  };
  return {
    async compile(unit): Promise<RunContext> {
      const { propAccountId, asset, dueAt } = unit;
      const account = sql.account.get(propAccountId);
      const v = account && version(account.versionId);
      if (!account || !v) throw unavailable(`no prop account or strategy for ${propAccountId}`, { propAccountId });
      const positions = sql.positions.all(propAccountId);
      const preview = pipelinePreview(strategyOf(v, readers.universe()), readers, dueAt, {
        asset,
        held: positions.map((p) => p.asset),
      });
      const quote = memory.priceAt(asset, dueAt);
      const info = memory.asset(asset);
      if (!preview.context || !quote || !info)
        throw unavailable(`no price of ${asset} at ${new Date(dueAt).toISOString()}`, { asset, dueAt });
      // the account's rules as its AccountOpened event recorded them (validated then), canonical JSON with bigints revived
      const rules = parseCanonicalJson(account.rules) as Rules;
      const position = positions.find((p) => p.asset === asset) ?? null;
      const equity = BigInt(account.equity);
      const leverage = Math.min(rules.maxLeverage, info.maxLeverage);
      const ind = derived.indicatorsAt(asset, dueAt);
      const { packet, prompt } = preview.context;
      return {
        packet,
        promptTemplateVersion: prompt.templateVersion,
        system: prompt.system,
        prompt: prompt.user,
        modelStrength: v.modelTier,
        candidates: preview.branches.flatMap((b) => b.candidates.map((c) => c.symbol)),
        assetEnabled: info.enabled,
        confidenceThreshold: minConfidence,
        tierMaxLeverage: rules.maxLeverage,
        assetMaxLeverage: info.maxLeverage,
        headroomMicroUsd: gateHeadroomMicroUsd({
          maxPositionNotionalMicroUsd: rules.maxPositionNotionalMicroUsd,
          positionNotionalMicroUsd: position ? BigInt(position.notional) : 0n,
          freeMarginMicroUsd: maxBigint(0n, equity - BigInt(account.marginUsed)),
          leverage,
        }),
        equityMicroUsd: equity,
        lastPrice: formatDecimal(quote.price, PRICE),
        indicators: ind
          ? { ema20: ind.ema20, rsi14: ind.rsi14, macd: ind.macd, macdSignal: ind.macdSignal, macdHistogram: ind.macdHistogram }
          : null,
        position: position && { side: position.side, entryPrice: formatDecimal(BigInt(position.entryPrice), PRICE) },
      };
    },
  };
}
