/**
 * The decision module's ports over the read models (`commands/decisions/ports.ts`): which prop
 * accounts run decisions now, each with its strategy's branches, cadences and candidates at T,
 * and the clone's entitlement now. Read per tick; nothing is cached across ticks but compiled
 * strategy versions (immutable).
 *
 * Running: an audition's account while the audition is `running` (slots from the account's
 * opening), a race entrant's account while the race is `live` (slots from `liveAt`); an account
 * no longer `active` (frozen, liquidated, closed, finalized) stops.
 */
import type { PipelineStrategy } from '../commands/ai-trading/pipeline.ts';
import { pipelinePreview } from '../commands/ai-trading/pipeline.ts';
import { compileGraph } from '../commands/clones/graph/compile.ts';
import type { RunningAccount, RunningAccounts } from '../commands/decisions/ports.ts';
import type { Db } from '../core/database.ts';
import { versionById } from '../projections/clones/versions.ts';
import { activeLimitsOf } from '../projections/entitlements/entitlements.ts';
import { pipelineReadersOf } from './ai-trading.ts';
import type { Config } from './config.ts';

/** A strategy version as the runtime reads it. */
type RunnableVersion = NonNullable<ReturnType<typeof versionById>>;

/** Limits that let any strategy compile: entitlements are checked at run time (`guards.ts`), not here. */
const UNLIMITED = { activeAssets: Number.MAX_SAFE_INTEGER, modelStrength: 'advanced' } as const;

interface AccountRow {
  propAccountId: string;
  cloneId: string;
  versionId: string;
  purpose: 'audition' | 'race';
  startedAt: number;
}

/** The pipeline's view of a version, compiled without entitlement limits. */
const strategyOf = (v: RunnableVersion, universe: PipelineStrategy['universe']): PipelineStrategy => ({
  cloneId: v.cloneId,
  strategyVersionId: v.versionId,
  graph: v.graph,
  layout: {},
  modelTier: v.modelTier,
  limits: UNLIMITED,
  universe,
});

/** `RunningAccounts` over the competition, prop-trading, clone and entitlement read models of `db`. */
export function runningAccountsOf(db: Db, config: Pick<Config, 'CLASH_TAXONOMY_FILE'>): RunningAccounts {
  const readers = pipelineReadersOf(db, config);
  const versions = new Map<string, RunnableVersion | undefined>();
  const version = (id: string) => {
    if (!versions.has(id)) versions.set(id, versionById(db, id)); // versions are immutable: read once
    return versions.get(id);
  };
  const accounts = db.prepare<[], AccountRow>(
    `SELECT p.account_id AS propAccountId, p.clone_id AS cloneId, p.strategy_version_id AS versionId, 'audition' AS purpose,
       p.opened_at AS startedAt
     FROM competition_auditions a JOIN prop_accounts p ON p.account_id = a.prop_account_id
     WHERE a.status = 'running' AND p.status = 'active'
     UNION ALL
     SELECT p.account_id, p.clone_id, p.strategy_version_id, 'race', r.live_at
     FROM competition_races r JOIN competition_race_entrants e ON e.race_id = r.race_id
       JOIN prop_accounts p ON p.account_id = e.prop_account_id
     WHERE r.stage = 'live' AND r.live_at IS NOT NULL AND p.status = 'active'
     ORDER BY 1`,
  );
  const held = db.prepare<[string], { asset: string }>('SELECT asset FROM prop_positions WHERE account_id = ? ORDER BY asset');
  return {
    running(at) {
      const universe = readers.universe();
      return accounts.all().flatMap((row): RunningAccount[] => {
        const v = version(row.versionId);
        if (!v) return [];
        const strategy = strategyOf(v, universe);
        const compiled = compileGraph(v.graph, {}, { limits: UNLIMITED, modelTier: v.modelTier, requirePrompt: false, universe });
        const cadences = new Map(v.graph.nodes.flatMap((n) => (n.type === 'trading_prompt' ? [[n.id, n.config.decisionCadenceSec]] : [])));
        const enabled = new Set(v.graph.nodes.flatMap((n) => (n.type === 'trading_prompt' && n.config.enabled ? [n.id] : [])));
        const preview = pipelinePreview(strategy, readers, at, { held: held.all(row.propAccountId).map((h) => h.asset) });
        const limits = activeLimitsOf(db, row.cloneId);
        return [
          {
            ...row,
            modelTier: v.modelTier,
            activeAssets: compiled.ok ? compiled.compiled.activeSymbols.length : 0,
            entitlement: limits && { modelStrength: limits.modelStrength, activeAssets: limits.activeAssets },
            branches: preview.branches
              .filter((b) => enabled.has(b.promptNodeId))
              .map((b) => ({
                branchId: b.promptNodeId,
                cadenceSec: cadences.get(b.promptNodeId) ?? 60,
                candidates: b.candidates.map((c) => c.symbol),
              })),
          },
        ];
      });
    },
  };
}
