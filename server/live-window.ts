/**
 * Wiring of a live window re-run (doc/backtesting.md, "Re-running a live window"): which live
 * account a clone may re-run and the window it names (`liveWindowShape`, for the HTTP routes and
 * the CLI), and the `LiveWindowSource` port of the replay over one database — the account's
 * completed runs from `decision_runs`, its own stream, the runs' payloads read back from the
 * artifact store against their sha-256, and the branch facts validation reads, computed as the
 * live context source computes them (`decision-context.ts`).
 */
import type { ArtifactStore } from '../adapters/artifacts/store.ts';
import { MarketMemory } from '../adapters/market/market-memory.ts';
import type { DecisionEngine } from '../adapters/models/engine.ts';
import { recordedEngine } from '../adapters/models/recorded.ts';
import { pipelinePreview } from '../commands/ai-trading/pipeline.ts';
import type { LiveRun, LiveWindowSource } from '../commands/backtests/ports.ts';
import type { RunOutcome } from '../commands/backtests/report.ts';
import type { StrategyRef } from '../commands/backtests/request.ts';
import { propAccountStream } from '../commands/prop-trading/decider.ts';
import type { PropAccountEvent } from '../commands/prop-trading/events.ts';
import type { Db } from '../core/database.ts';
import { ClashError } from '../core/errors.ts';
import type { EventStore } from '../core/event-store.ts';
import { completedRunsOfAccount, type DecisionRunRow } from '../projections/decisions/queries.ts';
import { PropTradingQueries } from '../projections/prop-trading/queries.ts';
import { pipelineReadersOf } from './ai-trading.ts';
import type { Config } from './config.ts';
import { accountStrategyOf, branchFactsOf } from './decision-context.ts';
import { artifactText } from './decision-replies.ts';

/** The most live runs one re-run reads (a 3-hour audition at a 15-minute cadence over 25 candidates is 300). */
export const MAX_LIVE_RUNS = 5_000;
/** The account purposes whose windows can be re-run: those the decision worker trades. */
const LIVE_PURPOSES = ['audition', 'race'];

/** Why a live window is refused (`live_window_refused`, 422, `details.reason`). */
export type LiveWindowRefusal = 'not_clone_account' | 'not_live_account' | 'no_runs';

/** What a request names: the live account, optionally a window inside its runs (ms). */
export interface LiveWindowRequest {
  readonly propAccountId: string;
  readonly fromMs?: number | undefined;
  readonly toMs?: number | undefined;
  /** The replay step (ms): the window's end is rounded up to a whole step past the last run. */
  readonly stepMs: number;
}

/**
 * The run shape a live window of `cloneId` resolves to: the account's strategy version, the
 * window from its first run due at or after `fromMs` to a whole number of steps past the last
 * one's completion at or before `toMs` (at least one step), and the runs' assets in order of
 * first appearance. Errors: `live_window_refused` (422) naming `field` with the reason — the
 * account is not this clone's (or does not exist), is not an audition or race account, or has
 * no completed run in the window; `live_window_too_large` (422) past 50 assets.
 */
export function liveWindowShape(
  db: Db,
  cloneId: string,
  request: LiveWindowRequest,
  field: string,
): { strategy: StrategyRef; fromMs: number; toMs: number; assets: string[] } {
  const refuse = (reason: LiveWindowRefusal, message: string): never => {
    throw new ClashError('live_window_refused', 'unprocessable', `${field}: ${message}`, { field, reason });
  };
  const account = new PropTradingQueries(db).account(request.propAccountId);
  if (!account || account.clone_id !== cloneId) return refuse('not_clone_account', `not a prop account of clone ${cloneId}`);
  if (!LIVE_PURPOSES.includes(account.purpose))
    return refuse('not_live_account', `a ${account.purpose} account, not an audition or race account`);
  const runs = completedRunsOfAccount(db, cloneId, request.propAccountId, {
    fromMs: request.fromMs ?? 0,
    toMs: request.toMs ?? Number.MAX_SAFE_INTEGER,
    limit: MAX_LIVE_RUNS,
  });
  const first = runs[0];
  if (!first) return refuse('no_runs', 'the account has no completed decision run in the window');
  const fromMs = first.dueAt;
  const lastEnd = Math.max(...runs.map((r) => r.endedAt ?? r.dueAt));
  const toMs = fromMs + Math.max(1, Math.ceil((lastEnd - fromMs) / request.stepMs)) * request.stepMs;
  const assets = [...new Set(runs.map((r) => r.asset))];
  if (assets.length > 50)
    throw new ClashError('live_window_too_large', 'unprocessable', `${field}: the window trades more than 50 assets`, { field });
  return { strategy: { kind: 'version', versionId: account.strategy_version_id }, fromMs, toMs, assets };
}

/** What the live run recorded, as a `RunOutcome`. */
function outcomeOf(row: DecisionRunRow): RunOutcome {
  const refused = row.verdict === 'refused';
  return {
    parse: (row.parse?.status ?? 'refused') as RunOutcome['parse'],
    verdict: refused ? 'refused' : 'accepted',
    stage: refused ? ((row.refusals?.stage ?? 'validation') as 'parse' | 'validation') : null,
    refusals: refused ? (row.refusals?.refusals ?? []) : [],
    action: refused ? null : row.action,
    order: row.order && { status: row.order.status as 'executed' | 'refused', code: row.order.code },
  };
}

/** A completed run row as a step of the re-run; a row without its payload references cannot be re-run (`recording_missing`). */
function liveRunOf(row: DecisionRunRow): LiveRun {
  if (!row.packet || !row.prompt || !row.reply || row.packetDigest === null || row.endedAt === null) {
    throw new ClashError('recording_missing', 'not_found', `live run ${row.runId} recorded no packet, prompt or reply`, {
      runId: row.runId,
    });
  }
  return {
    runId: row.runId,
    asset: row.asset,
    dueAt: row.dueAt,
    completedAt: row.endedAt,
    orderId: row.order?.orderId ?? null,
    packetDigest: row.packetDigest,
    packet: row.packet,
    prompt: row.prompt,
    reply: row.reply,
    outcome: outcomeOf(row),
  };
}

/**
 * The live window of `propAccountId` in [`fromMs`, `toMs`] over `db`, `store` (the account's
 * stream) and `artifacts`, with the `recorded` engine answering each run's packet digest with
 * that run's stored reply (checked: `artifact_corrupt`; gone: `recording_missing`).
 * Errors: `account_not_found` (404); `version_not_found` (404) when its version is gone.
 */
export function liveWindowOf(
  db: Db,
  store: EventStore,
  artifacts: ArtifactStore,
  config: Pick<Config, 'CLASH_TAXONOMY_FILE'>,
  window: { readonly propAccountId: string; readonly fromMs: number; readonly toMs: number },
): { source: LiveWindowSource; engine: DecisionEngine } {
  const row = new PropTradingQueries(db).account(window.propAccountId);
  if (!row) throw new ClashError('account_not_found', 'not_found', `no prop account ${window.propAccountId}`);
  const readers = pipelineReadersOf(db, config);
  const strategy = accountStrategyOf(db, readers, row);
  const memory = new MarketMemory(db);
  const rows = completedRunsOfAccount(db, row.clone_id, window.propAccountId, { ...window, limit: MAX_LIVE_RUNS });
  const runs = rows.map(liveRunOf);
  const accountEvents = store
    .readStream(propAccountStream(window.propAccountId))
    .map((e) => ({ type: e.type, data: e.data }) as PropAccountEvent);
  // packet digest → the run that recorded it (a packet names its decision time and asset, so one run per digest)
  const replies = new Map(rows.map((r) => [r.packetDigest, r]));
  const engine = recordedEngine({
    async get(packetDigest) {
      const run = replies.get(packetDigest);
      const text = run ? await artifactText(artifacts, run.reply) : null;
      return run && text !== null ? { text, model: run.replyModel ?? run.model ?? 'recorded' } : undefined;
    },
  });
  return {
    engine,
    source: {
      propAccountId: window.propAccountId,
      modelStrength: strategy.modelTier,
      accountEvents,
      runs,
      text: (ref) => artifactText(artifacts, ref),
      facts(run, packet) {
        const held = packet.account?.positions.map((p) => p.asset) ?? [];
        const preview = pipelinePreview(strategy, readers, run.dueAt, { held });
        return branchFactsOf(strategy, preview, packet.promptNodeId, run.asset, memory.asset(run.asset));
      },
    },
  };
}
