/**
 * Wiring of the backtests module beyond its routes: the commands over the ledger (the clone's
 * tier from the entitlements read model), the replay setup of a job (its strategy from the
 * clone's version or a draft snapshot in the artifact store, its engine) and the backtest worker
 * (`commands/backtests/worker.ts`) with its read-model port.
 */
import { hostname } from 'node:os';
import type { ArtifactStore } from '../adapters/artifacts/store.ts';
import { loadTaxonomy, universeOf } from '../adapters/market/taxonomy.ts';
import { anthropicEngine } from '../adapters/models/anthropic.ts';
import type { DecisionEngine } from '../adapters/models/engine.ts';
import { recordedEngine } from '../adapters/models/recorded.ts';
import type { PipelineStrategy } from '../commands/ai-trading/pipeline.ts';
import { recordedReplies } from '../commands/backtests/artifact-parts.ts';
import { BacktestCommands } from '../commands/backtests/handlers.ts';
import type { JobRecording, ReplaySetup } from '../commands/backtests/job-cycle.ts';
import type { BacktestEngine, StrategyRef } from '../commands/backtests/request.ts';
import { BacktestWorker } from '../commands/backtests/worker.ts';
import { zGraphLayout, zStrategyGraphInput } from '../commands/clones/graph/schema.ts';
import { noneEngine } from '../commands/decisions/engines/none.ts';
import { rulesEngine } from '../commands/decisions/engines/rules.ts';
import { type TierLimits, tiers } from '../commands/entitlements/tiers.ts';
import { sha256Hex } from '../core/canonical-json.ts';
import type { Db } from '../core/database.ts';
import { ClashError } from '../core/errors.ts';
import type { EventStore } from '../core/event-store.ts';
import { backtestsDueForExpiry, finishedBacktestsOfClone, runnableBacktests } from '../projections/backtests/backtests.ts';
import { findClone } from '../projections/clones/clones.ts';
import { versionById } from '../projections/clones/versions.ts';
import { activeLimitsOf, entitlementOf } from '../projections/entitlements/entitlements.ts';
import { marketAsOf } from './ai-trading.ts';
import { backtestPolicy } from './backtest-config.ts';
import { replayContextOf, replayMarketOf } from './backtest-replay.ts';
import type { Config } from './config.ts';
import type { Ledger } from './context.ts';
import { anthropicConfigOf } from './decision-config.ts';
import { liveWindowOf } from './live-window.ts';

/** Finished runs of the clone whose replies a `recorded` job replays (newest first). */
const RECORDED_RUNS = 10;

/** The backtest commands over `ledger`: tiers from the entitlements read model, the policy from `config`. */
export function backtestCommandsOf(ledger: Ledger, config: Config): BacktestCommands {
  const db = ledger.store.db;
  const tierOf = (cloneId: string) => {
    const e = entitlementOf(db, cloneId);
    return e && e.revokedAt === null ? e.tier : null;
  };
  return new BacktestCommands({ ...ledger, policy: backtestPolicy(config), tierOf });
}

/**
 * The strategy a job replays: a published version of the clone (by id) or a draft graph stored
 * as an artifact and checked against its sha-256. Errors: `version_not_found`, `clone_not_found`,
 * `snapshot_not_found` (404), `snapshot_invalid` (422: digest mismatch or not a strategy graph).
 */
export async function strategyOf(
  db: Db,
  artifacts: ArtifactStore,
  cloneId: string,
  ref: StrategyRef,
  taxonomyFile: string,
): Promise<PipelineStrategy> {
  const clone = findClone(db, cloneId);
  if (!clone) throw new ClashError('clone_not_found', 'not_found', `no clone ${cloneId}`);
  const base = {
    cloneId,
    modelTier: clone.modelTier,
    limits: (activeLimitsOf(db, cloneId) ?? tiers.starter) as TierLimits,
    universe: universeOf(db, loadTaxonomy(taxonomyFile)),
  };
  if (ref.kind === 'version') {
    const full = versionById(db, ref.versionId);
    if (!full || full.cloneId !== cloneId)
      throw new ClashError('version_not_found', 'not_found', `clone ${cloneId} has no version ${ref.versionId}`);
    return { ...base, strategyVersionId: full.versionId, graph: full.graph, layout: {} };
  }
  const bytes = await artifacts.get(ref.snapshotKey);
  if (!bytes) throw new ClashError('snapshot_not_found', 'not_found', `no draft snapshot at ${ref.snapshotKey}`);
  if (sha256Hex(bytes) !== ref.sha256)
    throw new ClashError('snapshot_invalid', 'unprocessable', 'the draft snapshot does not match its sha-256');
  const parsed = zStrategyGraphInput.safeParse((JSON.parse(new TextDecoder().decode(bytes)) as { graph?: unknown }).graph);
  if (!parsed.success) throw new ClashError('snapshot_invalid', 'unprocessable', 'the draft snapshot is not a strategy graph');
  return { ...base, strategyVersionId: 'draft', graph: parsed.data, layout: zGraphLayout.parse({}) };
}

/**
 * The Anthropic engine of backtests: the decision worker's settings (`server/decision-config.ts`:
 * key, origin, model per strength, prices, timeout, retries) when `ANTHROPIC_API_KEY` is set,
 * whatever `DECISION_MODEL_PROVIDER` is; undefined otherwise.
 */
export const backtestAnthropicOf = (config: Config): DecisionEngine | undefined =>
  config.ANTHROPIC_API_KEY === undefined ? undefined : anthropicEngine(anthropicConfigOf(config));

/**
 * The engine of a job: `none` and `rules` are built in; `recorded` replays the replies the
 * clone's latest finished runs recorded (by packet digest; empty once expired); `anthropic`
 * needs a configured model engine (`backtestAnthropicOf`), else `engine_not_configured` (422).
 */
export async function engineOf(
  name: BacktestEngine,
  source: {
    readonly db: Db;
    readonly artifacts: ArtifactStore;
    readonly cloneId: string;
    readonly anthropic?: DecisionEngine;
    readonly repliesOf?: readonly string[];
  },
): Promise<DecisionEngine> {
  if (name === 'none') return noneEngine;
  if (name === 'rules') return rulesEngine;
  if (name === 'anthropic') {
    if (source.anthropic) return source.anthropic;
    throw new ClashError('engine_not_configured', 'unprocessable', 'no Anthropic engine is configured for backtests');
  }
  return recordedEngine(
    await recordedReplies(source.artifacts, source.repliesOf ?? finishedBacktestsOfClone(source.db, source.cloneId, RECORDED_RUNS)),
  );
}

/**
 * The replay setup of a job over one database, its log (a live window's account stream) and
 * artifact store, the worker's and the CLI's: the strategy the job names (`strategyOf`;
 * `options.strategy` replaces it, for an operator's sandbox run from a file), its engine
 * (`engineOf`; `anthropic` jobs: `backtestAnthropicOf(config)`; `options.repliesOf`: the runs
 * whose replies a `recorded` job replays; a live window: the recorded engine over its runs'
 * replies, `liveWindowOf`), and the context compiled from market memory as of each step.
 */
export function replaySetupOf(
  db: Db,
  store: EventStore,
  artifacts: ArtifactStore,
  config: Config,
  options: { readonly strategy?: PipelineStrategy; readonly repliesOf?: readonly string[] } = {},
): ReplaySetup {
  const market = marketAsOf(db);
  const prices = replayMarketOf(db);
  const anthropic = backtestAnthropicOf(config);
  return {
    async prepare(job) {
      const strategy = options.strategy ?? (await strategyOf(db, artifacts, job.cloneId, job.run.strategy, config.CLASH_TAXONOMY_FILE));
      const context = replayContextOf(strategy, market, prices);
      const window = job.run.liveWindow;
      if (window) {
        const live = liveWindowOf(db, store, artifacts, config, { ...window, fromMs: job.run.fromMs, toMs: job.run.toMs });
        return { strategyVersionId: strategy.strategyVersionId, context, engine: live.engine, live: live.source };
      }
      const engine = await engineOf(job.run.engine, {
        db,
        artifacts,
        cloneId: job.cloneId,
        ...(anthropic ? { anthropic } : {}),
        ...(options.repliesOf ? { repliesOf: options.repliesOf } : {}),
      });
      return { strategyVersionId: strategy.strategyVersionId, context, engine };
    },
  };
}

/**
 * How `workerId` records the jobs it runs under this configuration: the lease each progress event
 * renews (`BACKTEST_LEASE_SECONDS`) and the artifacts' retention (`BACKTEST_ARTIFACT_RETENTION_HOURS`), in ms.
 */
export function jobRecordingOf(commands: BacktestCommands, config: Config, workerId: string): JobRecording {
  return {
    commands,
    workerId,
    leaseMs: config.BACKTEST_LEASE_SECONDS * 1000,
    retentionMs: config.BACKTEST_ARTIFACT_RETENTION_HOURS * 3_600_000,
  };
}

/** The backtest worker of this process over `ledger` (worker id `host:pid`). */
export function backtestWorkerOf(
  ledger: Ledger,
  config: Config,
  deps: {
    readonly artifacts: ArtifactStore;
    readonly leases: BacktestWorker['deps']['leases'];
    readonly units: BacktestWorker['deps']['units'];
  },
  workerId = `${hostname()}:${process.pid}`,
): BacktestWorker {
  const db = ledger.store.db;
  return new BacktestWorker({
    recording: jobRecordingOf(backtestCommandsOf(ledger, config), config, workerId),
    jobs: {
      runnable: (limit) => runnableBacktests(db, limit),
      dueForExpiry: (now, limit) => backtestsDueForExpiry(db, now, limit),
    },
    setup: replaySetupOf(db, ledger.store, deps.artifacts, config),
    market: replayMarketOf(db),
    artifacts: deps.artifacts,
    leases: deps.leases,
    units: deps.units,
    clock: ledger.clock,
    limits: {
      global: config.BACKTEST_CONCURRENCY,
      perUser: config.BACKTEST_CONCURRENCY_PER_USER,
      progressEvery: config.BACKTEST_PROGRESS_EVERY_STEPS,
    },
  });
}
