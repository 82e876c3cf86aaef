/**
 * One run of a backtest, the cycle the backtest worker and `clash backtest run` share (issue 14,
 * "Jobs"): prepare the job's strategy context and engine, replay it on the simulated clock on its
 * own account (purpose `backtest`, `DEFAULT_STARTING_EQUITY`, `DEFAULT_RULES`; a live window's
 * starts as its live account did), record progress —
 * each progress event renews the job's lease — and record its finish with its artifacts' expiry;
 * a run that throws is failed with `failJob`. The lease itself is taken by the caller (the worker
 * within its concurrency slots, the CLI right after its request).
 */
import type { ArtifactStore } from '../../adapters/artifacts/store.ts';
import type { DecisionEngine } from '../../adapters/models/engine.ts';
import type { Clock } from '../../core/clock.ts';
import { ClashError } from '../../core/errors.ts';
import { DEFAULT_RULES, DEFAULT_STARTING_EQUITY } from '../prop-trading/rules.ts';
import { runArtifacts } from './artifact-parts.ts';
import { type BacktestCommands, backtestPropAccountId } from './handlers.ts';
import { liveWindowVerdict } from './live-window.ts';
import type { LiveWindowSource, ReplayContextSource, ReplayMarket } from './ports.ts';
import { replay } from './replay.ts';
import type { BacktestReport } from './report.ts';
import type { RunShape } from './request.ts';

/** The job of one run: its id, clone and shape (clone `sandbox` for an operator's run that is no job of the log). */
export interface JobToRun {
  readonly backtestId: string;
  readonly cloneId: string;
  readonly run: RunShape;
}

/**
 * The strategy's context source and the engine of one job, and for a live window re-run the live
 * account's window (`RunShape.liveWindow`). Errors: `ClashError` (the worker fails or retries the job by its kind).
 */
export interface ReplaySetup {
  prepare(job: JobToRun): Promise<{
    readonly strategyVersionId: string;
    readonly context: ReplayContextSource;
    readonly engine: DecisionEngine;
    readonly live?: LiveWindowSource;
  }>;
}

/** Where a job's progress and end are recorded: its stream, by the holder of its lease. Times in ms. */
export interface JobRecording {
  readonly commands: BacktestCommands;
  /** The lease holder (`host:pid` for the worker, `cli:host:pid` for the CLI). */
  readonly workerId: string;
  /** Each progress event renews the lease for this long. */
  readonly leaseMs: number;
  /** The run's packets, prompts and replies expire this long after it finished. */
  readonly retentionMs: number;
}

export interface JobCycleDeps {
  readonly market: ReplayMarket;
  readonly artifacts: ArtifactStore;
  readonly clock: Clock;
  /** Steps between progress events. */
  readonly progressEvery: number;
  /** The job's stream; absent for a sandbox run, which records nothing in the log. */
  readonly recording?: JobRecording;
  /** Told after each progress event is recorded (steps done, simulated time ms). */
  readonly onProgress?: (stepsDone: number, simulatedAt: number) => Promise<void> | void;
}

/**
 * Runs `job` to its end and returns its report. Errors: what `setup.prepare` and the replay throw
 * (`ClashError`s: a strategy that no longer compiles, an engine not configured, …), and `lease_lost`
 * or `backtest_not_runnable` (409) when another worker has taken the job.
 */
export async function runJob(job: JobToRun, setup: ReplaySetup, deps: JobCycleDeps): Promise<BacktestReport> {
  const { recording, clock } = deps;
  const { strategyVersionId, context, engine, live } = await setup.prepare(job);
  const result = await replay(
    {
      backtestId: job.backtestId,
      cloneId: job.cloneId,
      strategyVersionId,
      propAccountId: backtestPropAccountId(job.backtestId),
      run: job.run,
      startingEquityMicroUsd: DEFAULT_STARTING_EQUITY,
      rules: DEFAULT_RULES,
    },
    {
      market: deps.market,
      context,
      engine,
      artifacts: deps.artifacts,
      ...(live ? { live } : {}),
      progressEvery: deps.progressEvery,
      onProgress: async (stepsDone, simulatedAt) => {
        recording?.commands.progress(job.backtestId, recording.workerId, stepsDone, simulatedAt, recording.leaseMs);
        await deps.onProgress?.(stepsDone, simulatedAt);
      },
    },
  );
  if (recording) {
    const expiresAt = clock.now() + recording.retentionMs;
    const rerun = result.report.liveWindow;
    const verdict = rerun && liveWindowVerdict(rerun);
    const artifacts = runArtifacts(job.backtestId, expiresAt);
    recording.commands.finish(job.backtestId, recording.workerId, result.report.metrics, artifacts, verdict);
  }
  return result.report;
}

/**
 * Records that the job failed with `error`: its `ClashError` code, else `replay_error`, and its
 * message (at most 2,000 characters). A lost lease is not an error here: the job is another
 * worker's now, and it is left to it.
 */
export function failJob(recording: JobRecording, backtestId: string, error: unknown): void {
  const code = error instanceof ClashError ? error.code : 'replay_error';
  const message = error instanceof Error ? error.message : String(error);
  try {
    recording.commands.fail(backtestId, recording.workerId, code, message.slice(0, 2000));
  } catch (lost) {
    if (!(lost instanceof ClashError && lost.code === 'lease_lost')) throw lost;
  }
}
