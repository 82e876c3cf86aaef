/**
 * `clash backtest run (--clone ID | --strategy FILE) --from ISO --to ISO [--assets A,B]
 * [--engine rules|recorded|anthropic|none] [--step 5m] [--decide-every 15m] [--replies-of ID] [--report FILE.html] [--json]`:
 * one backtest replayed in this process with a progress bar, then its metrics (doc/backtesting.md, "CLI");
 * `--report` also writes its self-contained HTML report (`replay/backtest-report/`).
 * `clash backtest run --clone ID --live-window PROP_ACCOUNT_ID --engine recorded [--from ISO] [--to ISO]`
 * re-runs a live audition or race window of the clone from its stored packets and replies and says
 * whether its decisions and metrics were reproduced ("Re-running a live window").
 *
 * With `--clone` the run is a job of the clone like one asked over HTTP: requested as its owner
 * (`requestQueued`: the tier's limits apply; a refusal exits 1 naming the limit), leased by this
 * process and run by the worker's cycle (`commands/backtests/job-cycle.ts`), its progress and
 * result — or its failure — recorded in `backtest-<id>`; the strategy is the clone's latest version,
 * else its draft (stored as a snapshot). With `--strategy FILE` (a JSON `{ "graph": … }` or a
 * bare graph) it is an operator's sandbox run: no clone, no job in the log, only the artifacts.
 * `runBacktestReport` returns the finished run's report data (`commands/backtests/report.ts`).
 */
import { hostname } from 'node:os';
import { z } from 'zod';
import { putContent } from '../../adapters/artifacts/content.ts';
import type { ArtifactStore } from '../../adapters/artifacts/store.ts';
import { loadTaxonomy, universeOf } from '../../adapters/market/taxonomy.ts';
import { type PipelineStrategy, planStrategy } from '../../commands/ai-trading/pipeline.ts';
import { failJob, runJob } from '../../commands/backtests/job-cycle.ts';
import { liveWindowVerdict } from '../../commands/backtests/live-window.ts';
import { type BacktestReport, parseStep } from '../../commands/backtests/report.ts';
import {
  DEFAULT_DECISION_INTERVAL_MS,
  DEFAULT_STEP_MS,
  type RunShape,
  zBacktestEngine,
  zRunShape,
} from '../../commands/backtests/request.ts';
import { zGraphLayout, zStrategyGraphInput } from '../../commands/clones/graph/schema.ts';
import { tiers } from '../../commands/entitlements/tiers.ts';
import { ClashError, ValidationError } from '../../core/errors.ts';
import { issuesOf } from '../../core/event-registry.ts';
import { draftOf, findClone } from '../../projections/clones/clones.ts';
import { versionsOf } from '../../projections/clones/versions.ts';
import { marketAsOf } from '../../server/ai-trading.ts';
import { replayMarketOf } from '../../server/backtest-replay.ts';
import { backtestCommandsOf, jobRecordingOf, replaySetupOf, strategyOf } from '../../server/backtests.ts';
import { type Config, loadConfig, openConfiguredArtifactStore } from '../../server/config.ts';
import { type Ledger, openLedger } from '../../server/context.ts';
import { liveWindowShape } from '../../server/live-window.ts';
import { writeBacktestReport } from '../backtest-report/write.ts';
import { commonFlags, defineCommand, existingDb, isoTimeFlag, UsageError } from './command.ts';
import { readBoundedText } from './input-file.ts';

/** What a run is asked for (the CLI's flags, validated). */
export interface BacktestRunOptions {
  readonly source: { readonly clone: string } | { readonly strategyFile: string };
  /** Required but for a live window, where they narrow the account's runs (default: first to last). */
  readonly fromMs?: number;
  readonly toMs?: number;
  /** A live audition or race account of the clone whose window is re-run (engine `recorded`). */
  readonly liveWindow?: string;
  /** Default: every asset the strategy plans. */
  readonly assets?: readonly string[];
  readonly engine: RunShape['engine'];
  readonly stepMs: number;
  readonly decisionIntervalMs?: number;
  /** `recorded`: the runs whose replies are replayed (default: the clone's latest finished runs). */
  readonly repliesOf?: readonly string[];
}

export interface BacktestRunDeps {
  readonly ledger: Ledger;
  readonly config: Config;
  readonly artifacts: ArtifactStore;
  /** Steps done of the total, after every progress chunk. */
  readonly onProgress?: (done: number, total: number) => void;
}

/** A sandbox run's clone id (no clone exists). */
const SANDBOX = 'sandbox';
/** The largest `--strategy` file read (bytes): a graph is at most about 1 MiB as the HTTP draft body is (`CLASH_MAX_BODY_BYTES`'s default). */
const MAX_STRATEGY_FILE_BYTES = 4 * 1024 * 1024;

/** The JSON of a `--strategy` file; a `UsageError` naming the flag when it is not JSON. */
function parseStrategyFile(file: string, text: string): { graph?: unknown; layout?: unknown } {
  try {
    return JSON.parse(text) as { graph?: unknown; layout?: unknown };
  } catch (error) {
    throw new UsageError(`--strategy: ${file} is not JSON: ${(error as Error).message}`);
  }
}
const encoder = new TextEncoder();

/**
 * Runs one backtest to its end and returns its report data. Errors: `ValidationError` (400) for
 * a bad run shape; `backtest_refused` (422) naming the limit a clone's run breaks; the
 * strategy's and engine's `ClashError`s (`clone_not_found`, `graph_invalid`, `engine_not_configured`, …).
 */
export async function runBacktestReport(options: BacktestRunOptions, deps: BacktestRunDeps): Promise<BacktestReport> {
  const { ledger, config, artifacts } = deps;
  const db = ledger.store.db;
  const stepMs = options.stepMs;
  const window = liveWindowFor(options, db);
  const strategy = await strategyFor(options, deps, window?.strategy);
  const assets = window?.assets ?? options.assets ?? plannedAssets(strategy, db);
  const decisionIntervalMs = window
    ? stepMs
    : (options.decisionIntervalMs ?? (DEFAULT_DECISION_INTERVAL_MS % stepMs === 0 ? DEFAULT_DECISION_INTERVAL_MS : stepMs));
  const shape = zRunShape.safeParse({
    strategy: strategy.ref,
    fromMs: window?.fromMs ?? options.fromMs,
    toMs: window?.toMs ?? options.toMs,
    assets,
    engine: options.engine,
    stepMs,
    decisionIntervalMs,
    ...(options.liveWindow === undefined ? {} : { liveWindow: { propAccountId: options.liveWindow } }),
  });
  if (!shape.success) throw new ValidationError('backtest run', issuesOf(shape.error));
  const run = shape.data;
  const setup = replaySetupOf(db, ledger.store, artifacts, config, {
    strategy: strategy.pipeline,
    ...(options.repliesOf ? { repliesOf: options.repliesOf } : {}),
  });
  const total = Math.ceil((run.toMs - run.fromMs) / run.stepMs);
  const cycle = {
    market: replayMarketOf(db),
    artifacts,
    clock: ledger.clock,
    progressEvery: Math.max(1, Math.min(config.BACKTEST_PROGRESS_EVERY_STEPS, Math.ceil(total / 100))),
    onProgress: (done: number) => deps.onProgress?.(done, total),
  };
  const cloneId = strategy.pipeline.cloneId;
  if (!('clone' in options.source)) return runJob({ backtestId: `${SANDBOX}-${ledger.ids.next()}`, cloneId, run }, setup, cycle);
  const commands = backtestCommandsOf(ledger, config);
  const { backtestId } = commands.requestQueued(cloneId, (findClone(db, cloneId) as { ownerUserId: string }).ownerUserId, run);
  const recording = jobRecordingOf(commands, config, `cli:${hostname()}:${process.pid}`);
  commands.lease(backtestId, recording.workerId, recording.leaseMs);
  try {
    return await runJob({ backtestId, cloneId, run }, setup, { ...cycle, recording });
  } catch (error) {
    failJob(recording, backtestId, error);
    throw error;
  }
}

/**
 * A live window's shape (`liveWindowShape`): only with `--clone`. Errors: `ValidationError`
 * naming `--live-window` with `--strategy`; `live_window_refused` (422) naming it otherwise.
 */
function liveWindowFor(options: BacktestRunOptions, db: Ledger['store']['db']): ReturnType<typeof liveWindowShape> | null {
  if (options.liveWindow === undefined) return null;
  if (!('clone' in options.source)) {
    throw new ValidationError('backtest run', [{ path: 'live-window', message: 'a live window is re-run for a clone (--clone)' }]);
  }
  const { liveWindow: propAccountId, stepMs, fromMs, toMs } = options;
  return liveWindowShape(db, options.source.clone, { propAccountId, stepMs, fromMs, toMs }, 'live-window');
}

/** The strategy to replay and how the run names it (`version`: a live window's account version). */
async function strategyFor(
  options: BacktestRunOptions,
  { ledger, config, artifacts }: BacktestRunDeps,
  version?: RunShape['strategy'],
): Promise<{ pipeline: PipelineStrategy; ref: RunShape['strategy'] }> {
  const db = ledger.store.db;
  const source = options.source;
  if ('clone' in source) {
    const cloneId = source.clone;
    const latest = versionsOf(db, cloneId).at(-1);
    let ref: RunShape['strategy'];
    if (version) ref = version;
    else if (latest) ref = { kind: 'version', versionId: latest.versionId };
    else {
      const draft = draftOf(db, cloneId);
      if (!findClone(db, cloneId)) throw new ClashError('clone_not_found', 'not_found', `no clone ${cloneId}`);
      if (!draft) throw new ClashError('strategy_missing', 'unprocessable', `clone ${cloneId} has neither a version nor a draft`);
      const snapshot = await putContent(artifacts, 'drafts', encoder.encode(JSON.stringify({ graph: draft.graph })));
      ref = { kind: 'draft', snapshotKey: snapshot.key, sha256: snapshot.sha256 };
    }
    return { pipeline: await strategyOf(db, artifacts, cloneId, ref, config.CLASH_TAXONOMY_FILE), ref };
  }
  const file = source.strategyFile;
  const json = parseStrategyFile(file, readBoundedText('--strategy', file, MAX_STRATEGY_FILE_BYTES));
  const parsed = zStrategyGraphInput.safeParse(json.graph ?? json);
  if (!parsed.success) throw new ValidationError(file, issuesOf(parsed.error));
  const bytes = encoder.encode(JSON.stringify({ graph: parsed.data }));
  const snapshot = await putContent(artifacts, 'drafts', bytes);
  return {
    pipeline: {
      cloneId: SANDBOX,
      strategyVersionId: 'draft',
      graph: parsed.data,
      layout: zGraphLayout.parse(json.layout ?? {}),
      modelTier: 'basic',
      limits: tiers.pro,
      universe: universeOf(db, loadTaxonomy(config.CLASH_TAXONOMY_FILE)),
    },
    ref: { kind: 'draft', snapshotKey: snapshot.key, sha256: snapshot.sha256 },
  };
}

/** Every asset the strategy's branches plan, in plan order (at most 50). */
function plannedAssets(strategy: { pipeline: PipelineStrategy }, db: Ledger['store']['db']): string[] {
  const { branches } = planStrategy(strategy.pipeline, marketAsOf(db).registry);
  return [...new Set(branches.flatMap((b) => b.plans.map((p) => p.symbol)))].slice(0, 50);
}

const step = z.string().transform((s, ctx) => {
  try {
    return parseStep(s);
  } catch (error) {
    ctx.addIssue({ code: 'custom', message: (error as Error).message });
    return z.NEVER;
  }
});

export const backtestRun = defineCommand({
  words: ['backtest', 'run'],
  usage:
    'clash backtest run (--clone ID | --strategy FILE) --from ISO --to ISO [--assets A,B] [--engine rules|recorded|anthropic|none] [--step 5m] [--decide-every 15m] [--replies-of ID,…] [--report FILE.html] [--db PATH] [--json] | clash backtest run --clone ID --live-window PROP_ACCOUNT_ID --engine recorded [--from ISO] [--to ISO] [--step 5m] [--report FILE.html] [--json]',
  summary:
    'replay a strategy over market memory on a simulated clock with a progress bar; prints the metrics (--json: the report data); --report writes the HTML report',
  options: {
    clone: { type: 'string' },
    strategy: { type: 'string' },
    from: { type: 'string' },
    to: { type: 'string' },
    assets: { type: 'string' },
    engine: { type: 'string' },
    step: { type: 'string' },
    'decide-every': { type: 'string' },
    'replies-of': { type: 'string' },
    'live-window': { type: 'string' },
    report: { type: 'string' },
  },
  schema: z
    .object({
      ...commonFlags,
      clone: z.string().min(1).max(200).optional(),
      strategy: z.string().min(1).max(4096).optional(),
      from: isoTimeFlag.optional(),
      to: isoTimeFlag.optional(),
      assets: z
        .string()
        .max(1100)
        .transform((s) => s.split(',').map((a) => a.trim().toUpperCase()))
        .optional(),
      engine: zBacktestEngine.default('rules'),
      step: step.default(DEFAULT_STEP_MS),
      'decide-every': step.optional(),
      'replies-of': z
        .string()
        .max(2100)
        .transform((s) => s.split(','))
        .optional(),
      'live-window': z.string().min(1).max(200).optional(),
      report: z.string().min(1).max(4096).optional(),
      positionals: z.array(z.string()).length(0, 'no arguments; use the flags'),
    })
    .refine((f) => (f.clone === undefined) !== (f.strategy === undefined), {
      message: 'give exactly one of --clone and --strategy',
      path: ['clone'],
    })
    .refine((f) => f['live-window'] !== undefined || (f.from !== undefined && f.to !== undefined), {
      message: 'give --from and --to (optional only with --live-window)',
      path: ['from'],
    })
    .refine((f) => f.from === undefined || f.to === undefined || f.to >= f.from, {
      message: 'the window must end after it starts',
      path: ['to'],
    })
    // As over HTTP (`runOf`), before the database is read: what the live account gives is not a flag
    .superRefine((f, ctx) => {
      if (f['live-window'] === undefined) return;
      for (const flag of ['assets', 'decide-every', 'replies-of'] as const)
        if (f[flag] !== undefined)
          ctx.addIssue({ code: 'custom', path: [flag], message: 'not with --live-window (taken from the live account)' });
      if (f.engine !== 'recorded')
        ctx.addIssue({ code: 'custom', path: ['engine'], message: 'a live window is re-run with the recorded engine' });
    }),
  run: async (flags, ctx) => {
    const config = loadConfig({ ...ctx.env, CLASH_DB: existingDb(flags.db, ctx.env) });
    const ledger = openLedger({ dbPath: config.CLASH_DB, composition: ctx.composition });
    const progress = ctx.out.progress('backtest');
    try {
      const report = await runBacktestReport(
        {
          source: flags.clone !== undefined ? { clone: flags.clone } : { strategyFile: flags.strategy as string },
          ...(flags.from === undefined ? {} : { fromMs: flags.from }),
          ...(flags.to === undefined ? {} : { toMs: flags.to }),
          ...(flags['live-window'] ? { liveWindow: flags['live-window'] } : {}),
          ...(flags.assets ? { assets: flags.assets } : {}),
          engine: flags.engine,
          stepMs: flags.step,
          ...(flags['decide-every'] ? { decisionIntervalMs: flags['decide-every'] } : {}),
          ...(flags['replies-of'] ? { repliesOf: flags['replies-of'] } : {}),
        },
        { ledger, config, artifacts: openConfiguredArtifactStore(config), onProgress: progress.update },
      );
      progress.stop();
      ctx.out.data(report);
      const m = report.metrics;
      const pct = (x: number | null) => (x === null ? '-' : `${(x * 100).toFixed(2)} %`);
      const num = (x: number | null) => (x === null ? '-' : x.toFixed(3));
      ctx.out.line(
        `backtest ${report.backtestId}: ${report.assets.join(', ')} from ${report.window.from} to ${report.window.to}, ${report.step} steps, engine ${report.engine}`,
      );
      ctx.out.table([
        { metric: 'total return', value: pct(m.totalReturn) },
        { metric: 'benchmark (buy and hold)', value: pct(m.benchmarkReturn) },
        { metric: 'pnl (micro-USD)', value: m.pnlMicroUsd },
        { metric: 'max drawdown', value: pct(m.maxDrawdown) },
        { metric: 'sharpe / sortino / calmar', value: `${num(m.sharpe)} / ${num(m.sortino)} / ${num(m.calmar)}` },
        { metric: 'trades / win rate', value: `${m.trades} / ${pct(m.winRate)}` },
        { metric: 'profit factor / expectancy (micro-USD)', value: `${num(m.profitFactor)} / ${m.expectancyMicroUsd ?? '-'}` },
        { metric: 'fees / funding (micro-USD)', value: `${m.feesMicroUsd} / ${m.fundingMicroUsd}` },
        { metric: 'exposure / turnover', value: `${pct(m.exposure)} / ${num(m.turnover)}` },
      ]);
      const live = report.liveWindow;
      if (live) {
        const divergent = liveWindowVerdict(live).divergences;
        ctx.out.line(
          `live window ${live.propAccountId}: ${live.decisionsReproduced} of ${live.runs} decisions and ${live.ordersReproduced} orders reproduced, metrics ${live.metricsReproduced ? 'reproduced' : 'differ'}${divergent > 0 ? `; ${divergent} runs diverge (--json lists them)` : ''}`,
        );
      }
      if (flags.report !== undefined) {
        const written = writeBacktestReport(flags.report, report);
        ctx.out.line(`report: ${written.file} (${written.bytes.toLocaleString('en-US')} bytes)`);
      }
      return 0;
    } finally {
      progress.stop();
      ledger.close();
    }
  },
});
